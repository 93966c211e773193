import type { Logger } from './logger.js';
import { describeError } from './errors.js';

/** Every event on the hub's bus and what it carries. Capabilities add their events here. */
export interface HubEvents {
  'mqtt.connected': { clientId: string; principal: string; username?: string; remoteAddress: string };
  'mqtt.disconnected': { clientId: string; username?: string };
  'device.removed': { deviceId: number };
  /** A device's grants changed (a gateway yields a new node): its live MQTT session must end. */
  'device.grants.changed': { deviceId: number };
  /** A new device owns emon/ nodes: the legacy login's sessions (grants fixed at CONNECT) must end. */
  'device.nodes.taken': { deviceId: number };
  /** Values that just became readable: inputs and feeds, with unix seconds. */
  'ingest.updated': { inputs: readonly LiveValue[]; feeds: readonly LiveValue[] };
  'ingest.node.created': { node: string };
  'ingest.input.created': { id: number; node: string; name: string };
  /** A node announced what it is (emoncms `describe`), e.g. "smartplug". */
  'ingest.device.described': { node: string; type: string };
  'ingest.processlist.stopped': { inputId: number; reason: string };
  /** A device's state, control status or identity changed (read the new view from the devices port). */
  'device.state.changed': { deviceId: number };
  /** A device was created (pairing, the API or the CLI). */
  'device.added': { deviceId: number };
  /** The pairing window opened or closed, or a pending request came, went or was answered. */
  'pairing.changed': Record<string, never>;
  /** A device's schedule was set, changed or cleared (the planner plans again). */
  'schedule.changed': { deviceId: number };
}

export interface LiveValue {
  id: number;
  timeS: number;
  value: number | null;
}

type Handler<K extends keyof HubEvents> = (event: HubEvents[K]) => void;

/** A typed in-process bus; a throwing handler is logged and never reaches the emitter. */
export class EventBus {
  private readonly handlers = new Map<keyof HubEvents, Set<Handler<never>>>();

  constructor(private readonly log: Logger) {}

  on<K extends keyof HubEvents>(event: K, handler: Handler<K>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as Handler<never>);
    return () => set.delete(handler as Handler<never>);
  }

  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    for (const handler of this.handlers.get(event) ?? []) {
      try {
        (handler as Handler<K>)(payload);
      } catch (err) {
        this.log.error({ event, err: describeError(err) }, 'event handler failed');
      }
    }
  }
}
