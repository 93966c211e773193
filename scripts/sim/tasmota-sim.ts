// A Tasmota plug or relay board (1..n relays, optional energy meter) as it speaks MQTT with the
// default FullTopic `%prefix%/%topic%/`. Sources (arendst/Tasmota, tasmota/docs):
// - connect, LWT, the empty `cmnd/<t>/POWER` before subscribing, group and fallback topics:
//   tasmota/tasmota_xdrv_driver/xdrv_02_9_mqtt.ino MqttConnected / MqttReconnect (will QoS 1,
//   retained `Offline`; `Online` retained on connect; "Satisfy iobroker (#299)"); first telemetry
//   about 5 s after connect (tele_period = TelePeriod - 5);
// - POWER commands and replies: docs/Commands.md Power<x> (ON|OFF|TOGGLE|0|1|2, empty or ? queries),
//   docs/MQTT.md (`stat/<t>/RESULT {"POWER":"ON"}` + `stat/<t>/POWER ON`; several relays `POWER<x>`);
// - STATE/SENSOR every TelePeriod (default 300 s), Status 10: docs/MQTT.md, JSON-Status-Responses.md;
// - Backlog MqttUser/MqttPassword → restart with a clean disconnect: reference demandshaper.md §5.5.
import { MqttDeviceSim, hex6, isoSeconds, type SimOptions, type Will } from './sim-base.js';

export interface TasmotaSimOptions extends SimOptions {
  /** %topic% */
  topic: string;
  relayCount?: number;
  /** A Sonoff POW-style energy meter (SENSOR carries ENERGY). */
  metering?: boolean;
  /** TelePeriod in seconds (10–3600; 0 = off). */
  telePeriodS?: number;
  /** What the load on each relay draws when on. */
  loadW?: number;
  voltageV?: number;
  /** `DVES_XXXXXX`, from the MAC. */
  clientId?: string;
  groupTopic?: string;
}

const ON_WORDS = new Set(['ON', '1']);
const OFF_WORDS = new Set(['OFF', '0']);
const TOGGLE_WORDS = new Set(['TOGGLE', '2']);

export class TasmotaSim extends MqttDeviceSim {
  readonly topic: string;
  readonly relays: boolean[];
  readonly metering: boolean;
  private readonly telePeriodS: number;
  private readonly loadW: number;
  private readonly voltageV: number;
  private readonly mqttClientId: string;
  private readonly groupTopic: string;
  protected readonly reconnectDelayMs = 10_000; // MqttRetry default 10 s
  /** SUBACK codes for its topic, group topic and fallback topic (128 = refused). */
  granted: number[] = [];
  private bootMs: number;
  private energyKWh = 0;
  private lastEnergyMs: number;
  /** Credentials a Backlog has set, applied at the restart. */
  private pendingUser: string | undefined;
  private pendingPassword: string | undefined;

  constructor(opts: TasmotaSimOptions) {
    super(opts);
    this.topic = opts.topic;
    this.relays = Array.from({ length: opts.relayCount ?? 1 }, () => false);
    this.metering = opts.metering ?? false;
    this.telePeriodS = opts.telePeriodS ?? 300;
    this.loadW = opts.loadW ?? 2000;
    this.voltageV = opts.voltageV ?? 230;
    this.mqttClientId = opts.clientId ?? `DVES_${hex6(opts.topic)}`;
    this.groupTopic = opts.groupTopic ?? 'tasmotas';
    this.bootMs = this.clock.nowMs();
    this.lastEnergyMs = this.bootMs;
  }

  get powerW(): number {
    return this.relays.filter(Boolean).length * this.loadW;
  }

  /** A press of the button for relay `relay` (0-based): toggles it and reports as a command would. */
  press(relay = 0): Promise<void> {
    return this.setRelay(relay, !this.relays[relay]);
  }

  protected clientId(): string {
    return this.mqttClientId;
  }

  protected will(): Will {
    return { topic: `tele/${this.topic}/LWT`, payload: 'Offline', qos: 1, retain: true };
  }

  protected async onConnected(): Promise<void> {
    const t = this.topic;
    await this.publish(`tele/${t}/LWT`, 'Online', { retain: true });
    await this.publish(`cmnd/${t}/POWER`, ''); // "Satisfy iobroker (#299)"
    this.granted = await this.subscribe([
      `cmnd/${t}/#`,
      `cmnd/${this.groupTopic}/#`,
      `cmnd/${this.mqttClientId}_fb/#`,
    ]);
    await this.publish(
      `tele/${t}/INFO1`,
      JSON.stringify({
        Info1: {
          Module: this.metering ? 'Sonoff Pow R2' : 'Sonoff Basic',
          Version: '14.3.0(release-tasmota)',
          FallbackTopic: `cmnd/${this.mqttClientId}_fb/`,
          GroupTopic: `cmnd/${this.groupTopic}/`,
        },
      }),
    );
    if (this.telePeriodS > 0) {
      const periodMs = this.telePeriodS * 1000;
      this.sessionAfter(Math.min(5000, periodMs), () => {
        void this.telemetry();
        this.sessionEvery(periodMs, () => void this.telemetry());
      });
    }
  }

  protected onMessage(topic: string, payload: Buffer): void {
    const [prefix, name, command, ...rest] = topic.split('/');
    if (prefix !== 'cmnd' || rest.length > 0 || command === undefined) return;
    if (name !== this.topic && name !== this.groupTopic && name !== `${this.mqttClientId}_fb`) return;
    void this.execute(command, payload.toString());
  }

  /** One command as the console or MQTT would run it. */
  async execute(command: string, arg: string): Promise<void> {
    const upper = command.toUpperCase();
    const power = /^POWER(\d*)$/.exec(upper);
    if (power) return this.power(power[1] ? Number(power[1]) : 1, arg);
    if (upper === 'BACKLOG' || upper === 'BACKLOG0') return this.backlog(arg);
    if (upper === 'STATUS' && arg.trim() === '10') return this.status10();
    if (upper === 'STATE') return this.result(this.stateJson());
    if (upper === 'MQTTUSER') {
      this.pendingUser = arg.trim();
      return this.result({ MqttUser: this.pendingUser });
    }
    if (upper === 'MQTTPASSWORD') {
      this.pendingPassword = arg.trim();
      return this.result({ MqttPassword: '****' });
    }
    if (upper === 'RESTART' && arg.trim() === '1') return this.restartNow();
    return this.result({ Command: 'Unknown' });
  }

  private async power(index: number, arg: string): Promise<void> {
    if (index < 1 || index > this.relays.length) return this.result({ Command: 'Unknown' });
    const word = arg.trim().toUpperCase();
    const relay = index - 1;
    if (word === '' || word === '?') return this.reportPower(relay);
    if (ON_WORDS.has(word)) return this.setRelay(relay, true);
    if (OFF_WORDS.has(word)) return this.setRelay(relay, false);
    if (TOGGLE_WORDS.has(word)) return this.setRelay(relay, !this.relays[relay]);
    return this.result({ Command: 'Error' });
  }

  private async setRelay(relay: number, on: boolean): Promise<void> {
    this.accumulate();
    this.relays[relay] = on;
    await this.reportPower(relay);
  }

  /** One relay reports `POWER`, several `POWER<x>` (GetPowerDevice in support.ino). */
  private powerKey(relay: number): string {
    return this.relays.length === 1 ? 'POWER' : `POWER${relay + 1}`;
  }

  private async reportPower(relay: number): Promise<void> {
    const key = this.powerKey(relay);
    const state = this.relays[relay] ? 'ON' : 'OFF';
    await this.result({ [key]: state });
    await this.publish(`stat/${this.topic}/${key}`, state);
  }

  private result(body: object): Promise<void> {
    return this.publish(`stat/${this.topic}/RESULT`, JSON.stringify(body));
  }

  private async backlog(arg: string): Promise<void> {
    for (const part of arg.split(';')) {
      const trimmed = part.trim();
      if (!trimmed) continue;
      const space = trimmed.indexOf(' ');
      await this.execute(
        space < 0 ? trimmed : trimmed.slice(0, space),
        space < 0 ? '' : trimmed.slice(space + 1),
      );
    }
    // MqttUser/MqttPassword set restart_flag: the device restarts with a clean disconnect.
    if (this.pendingUser !== undefined || this.pendingPassword !== undefined) this.restartNow();
  }

  private restartNow(): void {
    const login = this.login;
    if (!login) return;
    const next = {
      ...login,
      username: this.pendingUser ?? login.username,
      password: this.pendingPassword ?? login.password,
    };
    this.pendingUser = undefined;
    this.pendingPassword = undefined;
    this.log(`restarting with MQTT user ${next.username ?? ''}`);
    this.deviceAfter(200, () => void this.restart(next, 2000).then(() => (this.bootMs = this.clock.nowMs())));
  }

  private stateJson(): Record<string, unknown> {
    const upS = Math.floor((this.clock.nowMs() - this.bootMs) / 1000);
    const power = Object.fromEntries(this.relays.map((on, i) => [this.powerKey(i), on ? 'ON' : 'OFF']));
    return {
      Time: isoSeconds(this.clock.nowMs()),
      Uptime: uptime(upS),
      UptimeSec: upS,
      Heap: 26,
      SleepMode: 'Dynamic',
      Sleep: 50,
      LoadAvg: 19,
      MqttCount: this.connectCount,
      ...power,
      Wifi: {
        AP: 1,
        SSId: 'home',
        Channel: 6,
        Mode: '11n',
        RSSI: 78,
        Signal: -61,
        LinkCount: 1,
        Downtime: '0T00:00:03',
      },
    };
  }

  private energyJson(): Record<string, unknown> {
    this.accumulate();
    const powerW = this.powerW;
    const currentA = round(powerW / this.voltageV, 3);
    return {
      TotalStartTime: isoSeconds(this.bootMs),
      Total: round(this.energyKWh, 3),
      Yesterday: 0,
      Today: round(this.energyKWh, 3),
      Period: 0,
      Power: powerW,
      ApparentPower: powerW,
      ReactivePower: 0,
      Factor: powerW > 0 ? 1 : 0,
      Voltage: this.voltageV,
      Current: currentA,
    };
  }

  private async telemetry(): Promise<void> {
    await this.publish(`tele/${this.topic}/STATE`, JSON.stringify(this.stateJson()));
    if (this.metering)
      await this.publish(
        `tele/${this.topic}/SENSOR`,
        JSON.stringify({ Time: isoSeconds(this.clock.nowMs()), ENERGY: this.energyJson() }),
      );
  }

  private async status10(): Promise<void> {
    const sns: Record<string, unknown> = { Time: isoSeconds(this.clock.nowMs()) };
    if (this.metering) sns.ENERGY = this.energyJson();
    await this.publish(`stat/${this.topic}/STATUS10`, JSON.stringify({ StatusSNS: sns }));
  }

  private accumulate(): void {
    const nowMs = this.clock.nowMs();
    this.energyKWh += (this.powerW * (nowMs - this.lastEnergyMs)) / 3_600_000_000;
    this.lastEnergyMs = nowMs;
  }
}

/** `1T02:03:04` (days T hh:mm:ss), Tasmota's uptime. */
function uptime(totalS: number): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const d = Math.floor(totalS / 86400);
  return `${d}T${pad(Math.floor(totalS / 3600) % 24)}:${pad(Math.floor(totalS / 60) % 60)}:${pad(totalS % 60)}`;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));
