// A Shelly Gen2 Plus Plug S or Plus 1PM (one switch with a power meter) on MQTT. Sources
// (shelly-api-docs.shelly.cloud gen2): General/RPCProtocol (request {id, src, method, params},
// response {id, src, dst, result|error}), General/RPCChannels (MQTT: requests on
// `<topic_prefix>/rpc`, the response to `<src>/rpc`), General/Notifications (NotifyStatus on
// `<topic_prefix>/events/rpc`, params {ts, "switch:0": {…changed}}), ComponentsAndServices/Mqtt
// (`<topic_prefix>/online` true/false retained as the will; status_ntf publishes the whole status
// on `<topic_prefix>/status/switch:0`; enable_control `<topic_prefix>/command/switch:0`;
// MQTT.SetConfig answers {restart_required: true}; a new topic_prefix, user, pass apply at the
// reboot, the client id staying the device id), Switch (Set/Toggle → {was_on}, GetStatus),
// Shelly (GetDeviceInfo, Reboot {delay_ms}). Reference: demandshaper.md §5.2.
import { MqttDeviceSim, type MqttLogin, type SimOptions, type Will } from './sim-base.js';

export type ShellyModel = 'plugs' | '1pm';

export interface ShellySimOptions extends SimOptions {
  /** `shellyplusplugs-<mac>`: its client id, and its topic prefix until MQTT.SetConfig changes it. */
  id?: string;
  mac?: string;
  model?: ShellyModel;
  loadW?: number;
  voltageV?: number;
  /** status_ntf (off on a new device; the hub turns it on). */
  statusNtf?: boolean;
}

const MODELS: Record<ShellyModel, { model: string; app: string; prefix: string }> = {
  plugs: { model: 'SNPL-00112EU', app: 'PlugS', prefix: 'shellyplusplugs' },
  '1pm': { model: 'SNSW-001P16EU', app: 'Plus1PM', prefix: 'shellyplus1pm' },
};

interface RpcRequest {
  id: number | string;
  src: string;
  method: string;
  params?: Record<string, unknown>;
}

type RpcAnswer = { result: unknown } | { error: { code: number; message: string } };

/** Error codes of the RPC protocol page. */
const INVALID_ARGUMENT = -103;
const NO_HANDLER = 404;

export class ShellySim extends MqttDeviceSim {
  readonly id: string;
  readonly mac: string;
  /** topic_prefix: every topic's first level (default the id). */
  prefix: string;
  private readonly kind: (typeof MODELS)[ShellyModel];
  private readonly loadW: number;
  private readonly voltageV: number;
  private readonly statusNtf: boolean;
  protected readonly reconnectDelayMs = 5000;
  output = false;
  /** SUBACK codes for rpc, command and command/switch:0 (128 = refused). */
  granted: number[] = [];
  private source = 'init';
  private energyWh = 0;
  private lastEnergyMs: number;
  private pendingLogin: MqttLogin | undefined;
  private pendingPrefix: string | undefined;

  constructor(opts: ShellySimOptions) {
    super(opts);
    this.kind = MODELS[opts.model ?? 'plugs'];
    this.mac = opts.mac ?? 'A8032AB1C2D3';
    this.id = opts.id ?? `${this.kind.prefix}-${this.mac.toLowerCase()}`;
    this.prefix = this.id;
    this.loadW = opts.loadW ?? 1200;
    this.voltageV = opts.voltageV ?? 230;
    this.statusNtf = opts.statusNtf ?? true;
    this.lastEnergyMs = this.clock.nowMs();
  }

  get powerW(): number {
    return this.output ? this.loadW : 0;
  }

  /** The button: toggles the output, notifies as any other change. */
  press(): Promise<void> {
    return this.setOutput(!this.output, 'button');
  }

  protected clientId(): string {
    return this.id;
  }

  protected will(): Will {
    return { topic: `${this.prefix}/online`, payload: 'false', qos: 1, retain: true };
  }

  protected async onConnected(): Promise<void> {
    this.granted = await this.subscribe(
      [`${this.prefix}/rpc`, `${this.prefix}/command`, `${this.prefix}/command/switch:0`],
      1,
    );
    await this.publish(`${this.prefix}/online`, 'true', { qos: 1, retain: true });
    if (this.statusNtf) await this.publishStatus();
    // The meter reports each minute (aenergy.by_minute); a status update carries it.
    this.sessionEvery(60_000, () => void (this.statusNtf && this.publishStatus()));
  }

  protected onMessage(topic: string, payload: Buffer): void {
    const text = payload.toString();
    if (topic === `${this.prefix}/rpc`) void this.rpc(text);
    else if (topic === `${this.prefix}/command/switch:0`) {
      if (text === 'on' || text === 'off') void this.setOutput(text === 'on', 'MQTT');
      else if (text === 'toggle') void this.setOutput(!this.output, 'MQTT');
    } else if (topic === `${this.prefix}/command` && text === 'status_update') void this.publishStatus();
  }

  private async rpc(text: string): Promise<void> {
    let request: RpcRequest;
    try {
      request = JSON.parse(text) as RpcRequest;
    } catch {
      return; // not a frame: nobody to answer
    }
    if (typeof request?.src !== 'string' || request.id === undefined || typeof request.method !== 'string')
      return;
    const answer = await this.call(request.method, request.params ?? {});
    await this.publish(
      `${request.src}/rpc`,
      JSON.stringify({ id: request.id, src: this.id, dst: request.src, ...answer }),
      { qos: 1 },
    );
  }

  private async call(method: string, params: Record<string, unknown>): Promise<RpcAnswer> {
    const badId = params.id !== undefined && params.id !== 0;
    switch (method) {
      case 'Switch.Set': {
        if (badId) return invalid('id');
        if (typeof params.on !== 'boolean') return invalid('on');
        const wasOn = this.output;
        await this.setOutput(params.on, 'MQTT');
        return { result: { was_on: wasOn } };
      }
      case 'Switch.Toggle': {
        if (badId) return invalid('id');
        const wasOn = this.output;
        await this.setOutput(!wasOn, 'MQTT');
        return { result: { was_on: wasOn } };
      }
      case 'Switch.GetStatus':
        return badId ? invalid('id') : { result: this.switchStatus() };
      case 'Shelly.GetDeviceInfo':
        return { result: this.deviceInfo() };
      case 'MQTT.SetConfig': {
        const config = params.config as Record<string, unknown> | undefined;
        if (typeof config !== 'object' || config === null) return invalid('config');
        const login = this.login!;
        if (typeof config.topic_prefix === 'string') {
          if (!validPrefix(config.topic_prefix)) return invalid('topic_prefix');
          this.pendingPrefix = config.topic_prefix;
        }
        this.pendingLogin = {
          url: typeof config.server === 'string' ? `mqtt://${config.server}` : login.url,
          username: typeof config.user === 'string' ? config.user : login.username,
          password: typeof config.pass === 'string' ? config.pass : login.password,
        };
        return { result: { restart_required: true } };
      }
      case 'Shelly.Reboot': {
        const delayMs = typeof params.delay_ms === 'number' ? params.delay_ms : 1000;
        const next = this.pendingLogin ?? this.login!;
        const prefix = this.pendingPrefix ?? this.prefix;
        this.pendingLogin = undefined;
        this.pendingPrefix = undefined;
        this.deviceAfter(delayMs, () => {
          this.prefix = prefix; // the next connect's will and subscriptions use it
          void this.restart(next, 2000);
        });
        return { result: null };
      }
      default:
        return { error: { code: NO_HANDLER, message: `No handler for ${method}` } };
    }
  }

  private async setOutput(on: boolean, source: string): Promise<void> {
    this.accumulate();
    const changed = on !== this.output;
    this.output = on;
    this.source = source;
    if (!changed) return;
    await this.publish(
      `${this.prefix}/events/rpc`,
      JSON.stringify({
        src: this.id,
        dst: `${this.prefix}/events`,
        method: 'NotifyStatus',
        params: {
          ts: this.clock.nowMs() / 1000,
          'switch:0': { id: 0, output: on, source, apower: this.powerW },
        },
      }),
      { qos: 1 },
    );
    if (this.statusNtf) await this.publishStatus();
  }

  private publishStatus(): Promise<void> {
    return this.publish(`${this.prefix}/status/switch:0`, JSON.stringify(this.switchStatus()), { qos: 1 });
  }

  private switchStatus() {
    this.accumulate();
    const minuteTs = Math.floor(this.clock.nowMs() / 60_000) * 60;
    return {
      id: 0,
      source: this.source,
      output: this.output,
      apower: this.powerW,
      voltage: this.voltageV,
      current: Number((this.powerW / this.voltageV).toFixed(3)),
      aenergy: { total: Number(this.energyWh.toFixed(3)), by_minute: [0, 0, 0], minute_ts: minuteTs },
      temperature: { tC: 31.2, tF: 88.2 },
    };
  }

  private deviceInfo() {
    return {
      name: null,
      id: this.id,
      mac: this.mac,
      slot: 0,
      model: this.kind.model,
      gen: 2,
      fw_id: '20241011-114455/1.4.4-g6d2a586',
      ver: '1.4.4',
      app: this.kind.app,
      auth_en: false,
      auth_domain: null,
    };
  }

  private accumulate(): void {
    const nowMs = this.clock.nowMs();
    this.energyWh += (this.powerW * (nowMs - this.lastEnergyMs)) / 3_600_000;
    this.lastEnergyMs = nowMs;
  }
}

/** A topic prefix must be a plain topic: no wildcard, no leading `$`, not empty. */
const validPrefix = (prefix: string) => prefix !== '' && !/[+#]/.test(prefix) && !prefix.startsWith('$');

const invalid = (field: string): RpcAnswer => ({
  error: { code: INVALID_ARGUMENT, message: `Missing or invalid argument '${field}'!` },
});
