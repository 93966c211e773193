// A meter gateway: logs in as a `gateway` device and publishes its day-ahead signals retained on
// `gateway/<n>/signals/{price,carbon,hydro,community}` (docs/demand-shaper.md, Signals): once at
// connect and every day at `publishHourUtc` (18:00 by default, the evening profile), each covering
// today and tomorrow (48 h of half hours from midnight UTC). Made-up but plausible shapes: an
// evening price peak, carbon higher at night, a river that rises and falls over days.
//   scripts/run-node --import tsx scripts/sim/gateway-sim.ts --url mqtt://hub.local:1883 \
//     --username dev-gateway-meter1 --password … --name meter1
import { parseArgs } from 'node:util';
import { MqttDeviceSim, type SimOptions, type Will } from './sim-base.js';

export const GATEWAY_SIGNALS = ['price', 'carbon', 'hydro', 'community'] as const;
export type GatewaySignal = (typeof GATEWAY_SIGNALS)[number];

export interface GatewayProfile {
  start: number;
  interval: number;
  unit: string;
  values: number[];
}

export interface GatewaySimOptions extends SimOptions {
  /** Its device topic name: it publishes under `gateway/<name>/`. */
  name: string;
  publishHourUtc?: number;
  /** Replaces the made-up profiles (a test's own numbers). */
  profiles?: (dayStartS: number) => Record<GatewaySignal, GatewayProfile>;
}

const DAY_S = 86_400;
const SLOT_S = 1800;

/** The made-up profiles for the 48 h from `dayStartS` (midnight UTC). */
export function sampleProfiles(dayStartS: number): Record<GatewaySignal, GatewayProfile> {
  const slots = (2 * DAY_S) / SLOT_S;
  const hourOf = (i: number) => ((i * SLOT_S) % DAY_S) / 3600;
  const series = (f: (hour: number, i: number) => number) =>
    Array.from({ length: slots }, (_, i) => Math.round(f(hourOf(i), i) * 100) / 100);
  const day = dayStartS / DAY_S;
  return {
    price: {
      start: dayStartS,
      interval: SLOT_S,
      unit: 'p/kWh',
      values: series((h) => (h >= 16 && h < 19 ? 38 : h < 7 ? 12 : 24) + Math.sin(h)),
    },
    carbon: {
      start: dayStartS,
      interval: SLOT_S,
      unit: 'gCO2/kWh',
      values: series((h) => 180 + 60 * Math.cos(((h - 3) / 24) * 2 * Math.PI)),
    },
    hydro: {
      start: dayStartS,
      interval: SLOT_S,
      unit: 'kW',
      values: series((_h, i) => 40 + 30 * Math.sin(day + i / 40)),
    },
    community: {
      start: dayStartS,
      interval: SLOT_S,
      unit: 'kW',
      values: series((h) => (h >= 17 && h < 21 ? 55 : h < 6 ? 15 : 30)),
    },
  };
}

export class GatewaySim extends MqttDeviceSim {
  readonly name: string;
  private readonly publishHourUtc: number;
  private readonly profiles: (dayStartS: number) => Record<GatewaySignal, GatewayProfile>;
  protected readonly reconnectDelayMs = 5000;
  /** Profiles published so far (one per signal each time). */
  published = 0;

  constructor(opts: GatewaySimOptions) {
    super(opts);
    this.name = opts.name;
    this.publishHourUtc = opts.publishHourUtc ?? 18;
    this.profiles = opts.profiles ?? sampleProfiles;
  }

  protected clientId(): string {
    return `gateway-${this.name}`;
  }

  protected will(): Will {
    return { topic: `gateway/${this.name}/status`, payload: 'offline', qos: 1, retain: true };
  }

  protected async onConnected(): Promise<void> {
    await this.publish(`gateway/${this.name}/status`, 'online', { qos: 1, retain: true });
    await this.publishProfiles();
    const nowS = this.clock.nowMs() / 1000;
    const nextS = Math.floor(nowS / DAY_S) * DAY_S + this.publishHourUtc * 3600;
    const firstS = nextS > nowS ? nextS : nextS + DAY_S;
    this.sessionAfter((firstS - nowS) * 1000, () => {
      void this.publishProfiles();
      this.sessionEvery(DAY_S * 1000, () => void this.publishProfiles());
    });
  }

  protected onMessage(): void {
    // a gateway subscribes to nothing here
  }

  /** Today's and tomorrow's profiles, each retained (QoS 1). */
  async publishProfiles(): Promise<void> {
    const dayStartS = Math.floor(this.clock.nowMs() / 1000 / DAY_S) * DAY_S;
    const profiles = this.profiles(dayStartS);
    for (const name of GATEWAY_SIGNALS) await this.publishSignal(name, JSON.stringify(profiles[name]));
  }

  /** One signal's payload as given (a test sends a broken one this way). */
  async publishSignal(name: string, payload: string): Promise<void> {
    await this.publish(`gateway/${this.name}/signals/${name}`, payload, { qos: 1, retain: true });
    this.published++;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: o } = parseArgs({
    options: {
      url: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      username: { type: 'string' },
      password: { type: 'string' },
      name: { type: 'string', default: 'meter1' },
      'publish-hour-utc': { type: 'string', default: '18' },
    },
  });
  const sim = new GatewaySim({
    name: o.name,
    publishHourUtc: Number(o['publish-hour-utc']),
    log: (l) => console.log(l),
  });
  await sim.start({ url: o.url, username: o.username, password: o.password });
  process.once('SIGINT', () => void sim.stop().then(() => process.exit(0)));
}
