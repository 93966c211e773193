import type { MqttPort, Unsubscribe } from '../broker/ports.js';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { parseGatewayProfile } from './gateway-profile.js';
import type { SignalService } from './signal-service.js';
import { GATEWAY_SIGNALS_FILTER, GATEWAY_SIGNAL_NAMES, parseGatewaySignalTopic } from './signal-topics.js';

export const GATEWAY_WHAT: Record<string, string> = {
  price: 'day-ahead price profile',
  carbon: 'day-ahead carbon profile',
  hydro: 'hydro generation forecast',
  community: 'community profile',
};

/**
 * The meter gateway's day-ahead signals: only a `gateway` device login may publish under
 * `gateway/<n>/signals/#` (the broker's ACL), so what arrives here is the gateway's; each payload
 * is taken whole or refused and counted.
 */
export class GatewaySignalRunner implements Component {
  readonly name = 'gateway-signals';
  private unsubscribe: Unsubscribe | undefined;

  constructor(
    private readonly mqtt: MqttPort,
    private readonly signals: SignalService,
    private readonly clock: Clock,
    private readonly ttlS: number,
  ) {
    for (const name of GATEWAY_SIGNAL_NAMES) signals.expect(name, GATEWAY_WHAT[name]!, ttlS);
  }

  start(): Promise<void> {
    this.unsubscribe = this.mqtt.subscribe(GATEWAY_SIGNALS_FILTER, (topic, payload) => {
      void this.received(topic, payload);
    });
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    return Promise.resolve();
  }

  status(): ComponentStatus {
    return { state: this.unsubscribe ? 'ready' : 'stopped' };
  }

  private async received(topic: string, payload: Buffer): Promise<void> {
    const where = parseGatewaySignalTopic(topic);
    if (!where || payload.length === 0) return; // an empty payload only clears the retained copy
    const nowS = Math.floor(this.clock.nowMs() / 1000);
    const parsed = parseGatewayProfile(where.name, where.gateway, payload, nowS);
    const source = `gateway:${where.gateway}`;
    const known = GATEWAY_WHAT[where.name] ? where.name : undefined;
    if (!parsed.ok) return this.signals.reject(known, source, parsed.problem);
    await this.signals.accept(where.name, parsed.value, GATEWAY_WHAT[where.name]!, this.ttlS);
  }
}
