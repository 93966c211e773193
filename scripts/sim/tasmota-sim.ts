// A Tasmota plug or relay board (1..n relays, optional energy meter) as it speaks MQTT with the
// default FullTopic `%prefix%/%topic%/`. Sources (arendst/Tasmota, tasmota/docs):
// - connect, LWT, the empty `cmnd/<t>/POWER` before subscribing, group and fallback topics:
//   tasmota/tasmota_xdrv_driver/xdrv_02_9_mqtt.ino MqttConnected / MqttReconnect (will QoS 1,
//   retained `Offline`; `Online` retained on connect; "Satisfy iobroker (#299)"); first telemetry
//   about 5 s after connect (tele_period = TelePeriod - 5);
// - POWER commands and replies: docs/Commands.md Power<x> (ON|OFF|TOGGLE|0|1|2, empty or ? queries),
//   docs/MQTT.md (`stat/<t>/RESULT {"POWER":"ON"}` + `stat/<t>/POWER ON`; several relays `POWER<x>`);
// - STATE/SENSOR every TelePeriod (default 300 s), Status 10: docs/MQTT.md, JSON-Status-Responses.md;
// - Backlog MqttUser/MqttPassword/Topic → restart with a clean disconnect: reference
//   demandshaper.md §5.5; Topic as CmndTopic (xdrv_02_9_mqtt.ino: MakeValidMqtt, not by group
//   topic, restart_flag);
// - native discovery about 1 s after subscribing, INFO1/INFO2: tasmota-payloads.ts.
import { MqttDeviceSim, isoSeconds, type SimOptions, type Will } from './sim-base.js';
import {
  defaultMac,
  discoveryMessages,
  energyBody,
  info1,
  info2,
  stateBody,
  tasmotaHostname,
  validTopic,
  type TasmotaIdentity,
} from './tasmota-payloads.js';

export { tasmotaDefaultLogin } from './tasmota-payloads.js';

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
  /** 12 upper-case hex digits; default derived from the topic. */
  mac?: string;
  /** DeviceName (and the first FriendlyName); default "Tasmota". */
  deviceName?: string;
  ip?: string;
  /** SetOption19 0 (the default): native discovery on. */
  discovery?: boolean;
}

const ON_WORDS = new Set(['ON', '1']);
const OFF_WORDS = new Set(['OFF', '0']);
const TOGGLE_WORDS = new Set(['TOGGLE', '2']);

export class TasmotaSim extends MqttDeviceSim {
  /** %topic%: a `Topic` command changes it at the restart that follows. */
  topic: string;
  readonly mac: string;
  readonly relays: boolean[];
  readonly metering: boolean;
  private readonly telePeriodS: number;
  private readonly loadW: number;
  private readonly voltageV: number;
  private readonly mqttClientId: string;
  private readonly groupTopic: string;
  private readonly deviceName: string;
  private readonly ip: string;
  private readonly discovery: boolean;
  protected readonly reconnectDelayMs = 10_000; // MqttRetry default 10 s
  /** SUBACK codes for its topic, group topic and fallback topic (128 = refused). */
  granted: number[] = [];
  private bootMs: number;
  private energyKWh = 0;
  private lastEnergyMs: number;
  /** Credentials a Backlog has set, applied at the restart. */
  private pendingUser: string | undefined;
  private pendingPassword: string | undefined;
  private pendingTopic: string | undefined;

  constructor(opts: TasmotaSimOptions) {
    super(opts);
    this.topic = opts.topic;
    this.relays = Array.from({ length: opts.relayCount ?? 1 }, () => false);
    this.metering = opts.metering ?? false;
    this.telePeriodS = opts.telePeriodS ?? 300;
    this.loadW = opts.loadW ?? 2000;
    this.voltageV = opts.voltageV ?? 230;
    this.mac = (opts.mac ?? defaultMac(opts.topic)).replaceAll(':', '').toUpperCase();
    this.mqttClientId = opts.clientId ?? `DVES_${this.mac.slice(-6)}`;
    this.groupTopic = opts.groupTopic ?? 'tasmotas';
    this.deviceName = opts.deviceName ?? 'Tasmota';
    this.ip = opts.ip ?? '192.168.1.50';
    this.discovery = opts.discovery ?? true;
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
    const fallback = `cmnd/${this.mqttClientId}_fb/`;
    await this.publish(`tele/${t}/INFO1`, JSON.stringify(info1(this.identity(), fallback, this.groupTopic)));
    await this.publish(`tele/${t}/INFO2`, JSON.stringify(info2(this.identity())));
    // discovery_counter: set to 1 at the first subscribe, sent at the next second's tick.
    if (this.discovery) this.sessionAfter(1000, () => void this.publishDiscovery());
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
    void this.execute(command, payload.toString(), name === this.groupTopic).then(() =>
      this.restartIfPending(),
    );
  }

  /** One command as the console or MQTT (`group`: by the group topic) would run it. */
  async execute(command: string, arg: string, group = false): Promise<void> {
    const upper = command.toUpperCase();
    const power = /^POWER(\d*)$/.exec(upper);
    if (power) return this.power(power[1] ? Number(power[1]) : 1, arg);
    if (upper === 'BACKLOG' || upper === 'BACKLOG0') return this.backlog(arg, group);
    if (upper === 'TOPIC') return this.topicCommand(arg.trim(), group);
    if (upper === 'STATUS' && arg.trim() === '10') return this.status10();
    if (upper === 'STATE') return this.result(this.stateJson());
    if (upper === 'MQTTUSER') {
      this.pendingUser = arg.trim();
      return this.result({ MqttUser: this.pendingUser });
    }
    // MqttPassword echoes the password; MqttPassword2 answers "****" (CmndMqttPassword).
    const password = /^MQTTPASSWORD(\d?)$/.exec(upper);
    if (password) {
      this.pendingPassword = arg.trim();
      return this.result({ [command]: password[1] === '2' ? '****' : this.pendingPassword });
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

  /** CmndTopic: a new name (never by the group topic) is used from the restart it triggers. */
  private topicCommand(arg: string, group: boolean): Promise<void> {
    const next = validTopic(arg);
    if (!group && next !== '' && next !== (this.pendingTopic ?? this.topic)) this.pendingTopic = next;
    return this.result({ Topic: this.pendingTopic ?? this.topic });
  }

  private async backlog(arg: string, group: boolean): Promise<void> {
    for (const part of arg.split(';')) {
      const trimmed = part.trim();
      if (!trimmed) continue;
      const space = trimmed.indexOf(' ');
      await this.execute(
        space < 0 ? trimmed : trimmed.slice(0, space),
        space < 0 ? '' : trimmed.slice(space + 1),
        group,
      );
    }
    this.restartIfPending();
  }

  /** MqttUser/MqttPassword/Topic set restart_flag: the device restarts with a clean disconnect. */
  private restartIfPending(): void {
    const pending = [this.pendingUser, this.pendingPassword, this.pendingTopic];
    if (pending.some((p) => p !== undefined)) this.restartNow();
  }

  private restartNow(): void {
    const login = this.login;
    if (!login) return;
    const next = {
      ...login,
      username: this.pendingUser ?? login.username,
      password: this.pendingPassword ?? login.password,
    };
    const topic = this.pendingTopic ?? this.topic;
    this.pendingUser = undefined;
    this.pendingPassword = undefined;
    this.pendingTopic = undefined;
    this.log(`restarting with MQTT user ${next.username ?? ''}, topic ${topic}`);
    this.deviceAfter(200, () => {
      this.topic = topic; // the next connect's will and subscriptions use it
      void this.restart(next, 2000).then(() => (this.bootMs = this.clock.nowMs()));
    });
  }

  private identity(): TasmotaIdentity {
    return {
      mac: this.mac,
      ip: this.ip,
      hostname: tasmotaHostname(this.topic, this.mac),
      deviceName: this.deviceName,
      topic: this.topic,
      module: this.metering ? 'Sonoff Pow R2' : 'Sonoff Basic',
      version: '14.3.0',
      relayCount: this.relays.length,
    };
  }

  /** TasDiscovery: config and sensors, both retained. */
  private async publishDiscovery(): Promise<void> {
    for (const [topic, body] of discoveryMessages(this.identity(), this.sensorJson()))
      await this.publish(topic, JSON.stringify(body), { retain: true });
  }

  private stateJson(): Record<string, unknown> {
    const power = Object.fromEntries(this.relays.map((on, i) => [this.powerKey(i), on ? 'ON' : 'OFF']));
    return stateBody(this.clock.nowMs(), this.bootMs, this.connectCount, power);
  }

  private energyJson(): Record<string, unknown> {
    this.accumulate();
    return energyBody(this.bootMs, this.energyKWh, this.powerW, this.voltageV);
  }

  private async telemetry(): Promise<void> {
    await this.publish(`tele/${this.topic}/STATE`, JSON.stringify(this.stateJson()));
    if (this.metering) await this.publish(`tele/${this.topic}/SENSOR`, JSON.stringify(this.sensorJson()));
  }

  private async status10(): Promise<void> {
    await this.publish(`stat/${this.topic}/STATUS10`, JSON.stringify({ StatusSNS: this.sensorJson() }));
  }

  /** MqttShowSensor: the time and, on a metering device, ENERGY. */
  private sensorJson(): Record<string, unknown> {
    const sns: Record<string, unknown> = { Time: isoSeconds(this.clock.nowMs()) };
    if (this.metering) sns.ENERGY = this.energyJson();
    return sns;
  }

  private accumulate(): void {
    const nowMs = this.clock.nowMs();
    this.energyKWh += (this.powerW * (nowMs - this.lastEnergyMs)) / 3_600_000_000;
    this.lastEnergyMs = nowMs;
  }
}
