// An OpenEVSE WiFi v4 charger (ESP32 gateway) on MQTT, with a simulated vehicle. Sources
// (OpenEVSE/openevse_esp32_firmware at 1797b7a): src/mqtt.cpp (will = retained
// {"state":"disconnected","id","name"} on `openevse/announce/<shortid>`; on connect the retained
// announce {"state":"connected","id","name","mqtt","http"}, the subscriptions, then the retained
// config/claim/override/schedule/limit; `override/set` JSON|toggle|clear; `limit/set` JSON|clear),
// src/evse_man.cpp EvseProperties::serialize (override body), src/limit.cpp (limit body; an energy
// limit's value is in Wh, compared with session energy in Wh), src/input.cpp create_rapi_json (the
// status keys, one `<base>/<key>` each, not retained), docs/Developers_Guide_MQTT.md (units: amp
// mA, voltage V, power W, pilot A, session_energy Wh, total_energy kWh; state 1/2/3/254), and
// reference demandshaper.md §5.4–5.5 (full status about every 30 s); `config/set`: openevse-config.ts.
import { applyMqttConfig, parseObject } from './openevse-config.js';
import { serveOpenevseConfig } from './openevse-http.js';
import { MqttDeviceSim, type MqttLogin, type SimOptions, type Will } from './sim-base.js';

export interface OpenevseSimOptions extends SimOptions {
  /** The long device id (MAC); its last 4 hex digits name the announce topic. */
  id?: string;
  /** mqtt_topic, default the host name. */
  base?: string;
  /** esp_hostname (the client id), default `base` or else `openevse-<shortid>`. */
  hostname?: string;
  voltageV?: number;
  /** The charger's own maximum (max_current_soft). */
  maxCurrentA?: number;
  statusIntervalMs?: number;
  ip?: string;
  /** 'v4' (4.x): no `<base>/config/set` (it came in 5.0); its settings only by HTTP POST /config. */
  firmware?: 'v4' | 'v5';
}

interface Override {
  state?: 'active' | 'disabled';
  charge_current?: number;
  max_current?: number;
  auto_release: boolean;
}

interface Limit {
  type: 'none' | 'time' | 'energy' | 'soc' | 'range';
  value: number;
  auto_release: boolean;
}

const NO_LIMIT: Limit = { type: 'none', value: 0, auto_release: true };
const SAMPLE_MS = 1000;

export class OpenevseSim extends MqttDeviceSim {
  readonly id: string;
  base: string; // mqtt_topic: `config/set` may change it
  readonly hostname: string;
  readonly announceTopic: string;
  private readonly voltageV: number;
  private readonly maxCurrentA: number;
  private readonly statusIntervalMs: number;
  private ip: string;
  private readonly firmware: 'v4' | 'v5';
  private httpPort: number | undefined;
  protected readonly reconnectDelayMs = 5000;
  vehicleConnected = false;
  private override: Override | undefined;
  private limit: Limit = NO_LIMIT;
  private sessionWh = 0;
  private sessionStartMs = 0;
  private totalKWh = 0;
  private lastSampleMs: number;
  /** Last values sent per key: a change is published at once. */
  private readonly sent = new Map<string, string>();

  constructor(opts: OpenevseSimOptions = {}) {
    super(opts);
    this.id = opts.id ?? 'c44f330d7b2c';
    const shortId = this.id.slice(-4);
    this.hostname = opts.hostname ?? opts.base ?? `openevse-${shortId}`;
    this.base = opts.base ?? this.hostname;
    this.announceTopic = `openevse/announce/${shortId}`;
    this.voltageV = opts.voltageV ?? 240;
    this.maxCurrentA = opts.maxCurrentA ?? 32;
    this.statusIntervalMs = opts.statusIntervalMs ?? 30_000;
    this.ip = opts.ip ?? '192.168.1.43';
    this.firmware = opts.firmware ?? 'v5';
    this.lastSampleMs = this.clock.nowMs();
  }

  /** Powers up: the controller samples once a second from now on (stop() and powerOff() end it). */
  override start(login: MqttLogin): Promise<void> {
    this.sample();
    this.deviceEvery(SAMPLE_MS, () => this.sample());
    return super.start(login);
  }

  /** Disabled by an override ("disabled") or by a limit that was reached. */
  get active(): boolean {
    if (this.override?.state === 'disabled') return false;
    if (this.limit.type === 'energy' && this.limit.value > 0 && this.sessionWh >= this.limit.value)
      return false;
    return true;
  }

  get charging(): boolean {
    return this.vehicleConnected && this.active;
  }

  /** The current offered to the vehicle (pilot): the override's, else the charger's maximum. */
  get pilotA(): number {
    return Math.min(
      this.override?.charge_current ?? this.maxCurrentA,
      this.override?.max_current ?? Infinity,
    );
  }

  get powerW(): number {
    return this.charging ? this.pilotA * this.voltageV : 0;
  }

  get evseState(): number {
    if (!this.vehicleConnected) return this.active ? 1 : 254;
    return this.active ? 3 : 254;
  }

  plugIn(): Promise<void> {
    this.sample();
    this.vehicleConnected = true;
    this.sessionWh = 0;
    this.sessionStartMs = this.clock.nowMs();
    return this.publishChanged();
  }

  async unplug(): Promise<void> {
    this.sample();
    this.vehicleConnected = false;
    // An auto-release limit or override ends with the session.
    if (this.limit.auto_release && this.limit.type !== 'none') {
      this.limit = NO_LIMIT;
      await this.publishRetained('limit', this.limit);
    }
    if (this.override?.auto_release) await this.setOverride(undefined);
    await this.publishChanged();
  }

  /** The button on the unit: toggles the manual override (mqtt.cpp `toggle` does the same). */
  press(): Promise<void> {
    return this.setOverride(this.active ? { state: 'disabled', auto_release: true } : undefined);
  }

  protected clientId(): string {
    return this.hostname;
  }

  protected will(): Will {
    return {
      topic: this.announceTopic,
      payload: JSON.stringify({ state: 'disconnected', id: this.id, name: this.hostname }),
      qos: 0,
      retain: true,
    };
  }

  protected async onConnected(): Promise<void> {
    const announce = {
      state: 'connected',
      id: this.id,
      name: this.hostname,
      mqtt: this.base,
      http: `http://${this.ip}${this.httpPort === undefined ? '' : `:${this.httpPort}`}/`,
    };
    await this.publish(this.announceTopic, JSON.stringify(announce), { retain: true });
    const b = this.base;
    await this.subscribe([
      'emon/emonpi/power1', // mqtt_grid_ie default (solar divert)
      'emon/emonpi/vrms', // mqtt_vrms default
      ...['divertmode', 'shaper', 'override', 'claim', 'schedule', 'limit']
        .concat(this.firmware === 'v5' ? ['config'] : [])
        .map((t) => `${b}/${t}/set`),
      `${b}/schedule/clear`,
      `${b}/restart`,
      `${b}/rapi/in/#`,
      '$SYS/broker/version',
    ]);
    await this.publishRetained('claim', { state: 'null' });
    await this.publishRetained('override', this.overrideBody());
    await this.publishRetained('schedule', []);
    await this.publishRetained('limit', this.limit);
    this.sent.clear();
    await this.publishStatus(true);
    this.sessionEvery(this.statusIntervalMs, () => void this.publishStatus(true));
  }

  protected onMessage(topic: string, payload: Buffer): void {
    const text = payload.toString();
    if (topic === `${this.base}/override/set`) void this.overrideSet(text);
    else if (topic === `${this.base}/limit/set`) void this.limitSet(text);
    // 4.x has no code for config/set (a message the hub hands it directly is ignored).
    else if (topic === `${this.base}/config/set` && this.firmware === 'v5') void this.configSet(text);
  }

  /** Its web API on 127.0.0.1 (POST /config), announced in `http`; closed by stop(). */
  async serveHttp(): Promise<number> {
    const server = await serveOpenevseConfig((text) => {
      const body = parseObject(text);
      if (body) void this.configSet(text);
      return body !== undefined;
    });
    this.ip = '127.0.0.1';
    this.httpPort = server.port;
    this.closeHttp = server.close;
    return server.port;
  }

  private closeHttp: (() => Promise<void>) | undefined;

  override async stop(): Promise<void> {
    await super.stop();
    await this.closeHttp?.();
    this.closeHttp = undefined;
  }

  /** A changed mqtt_* setting: mqtt.restartConnection(), a disconnect and an immediate connect. */
  private async configSet(text: string): Promise<void> {
    const body = parseObject(text);
    const next = body && this.login && applyMqttConfig({ login: this.login, base: this.base }, body);
    if (!next) return;
    this.base = next.base; // the next connect's announce and topics use it
    await this.restart(next.login, 0);
  }

  private async overrideSet(text: string): Promise<void> {
    if (text === 'clear') return this.setOverride(undefined);
    if (text === 'toggle') return this.press();
    const body = parseObject(text);
    if (!body) return;
    const next: Override = { ...this.override, auto_release: this.override?.auto_release ?? false };
    if (body.state === 'active' || body.state === 'disabled') next.state = body.state;
    if (typeof body.charge_current === 'number') next.charge_current = body.charge_current;
    if (body.charge_current === 'clear') delete next.charge_current;
    if (typeof body.max_current === 'number') next.max_current = body.max_current;
    if (typeof body.auto_release === 'boolean') next.auto_release = body.auto_release;
    return this.setOverride(next);
  }

  private async limitSet(text: string): Promise<void> {
    if (text === 'clear') this.limit = NO_LIMIT;
    else {
      const body = parseObject(text);
      const types = ['time', 'energy', 'soc', 'range'] as const;
      const type = types.find((t) => t === body?.type);
      // LimitProperties::deserialize: accepted only with a type and a value > 0.
      if (!body || !type || typeof body.value !== 'number' || body.value <= 0) return;
      this.limit = {
        type,
        value: Math.floor(body.value),
        auto_release: typeof body.auto_release === 'boolean' ? body.auto_release : true,
      };
    }
    this.sample();
    await this.publishRetained('limit', this.limit);
    await this.publishChanged();
  }

  private async setOverride(next: Override | undefined): Promise<void> {
    this.sample();
    this.override = next;
    await this.publishRetained('override', this.overrideBody());
    await this.publishChanged();
  }

  private overrideBody(): object {
    if (!this.override) return { state: 'null' };
    const { state, charge_current, max_current, auto_release } = this.override;
    return {
      ...(state && { state }),
      ...(charge_current !== undefined && { charge_current }),
      ...(max_current !== undefined && { max_current }),
      auto_release,
    };
  }

  private status(): Record<string, string> {
    this.sample(); // the energy up to now, whichever timer fires first
    const values: Record<string, number | string> = {
      evse_connected: 1,
      amp: this.charging ? this.pilotA * 1000 : 0,
      voltage: this.voltageV,
      power: this.powerW,
      pilot: this.pilotA,
      max_current: this.pilotA,
      state: this.evseState,
      status: this.active ? 'active' : 'disabled',
      vehicle: this.vehicleConnected ? 1 : 0,
      manual_override: this.override ? 1 : 0,
      divertmode: 1,
      session_elapsed: this.vehicleConnected
        ? Math.floor((this.clock.nowMs() - this.sessionStartMs) / 1000)
        : 0,
      session_energy: Number(this.sessionWh.toFixed(2)),
      total_energy: Number(this.totalKWh.toFixed(3)),
    };
    return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)]));
  }

  /** One status publication at a time, each read when its turn comes (as the firmware's loop does). */
  private statusQueue: Promise<void> = Promise.resolve();

  private publishStatus(all: boolean): Promise<void> {
    const next = this.statusQueue.then(() => this.publishStatusNow(all));
    this.statusQueue = next.catch(() => undefined);
    return next;
  }

  private async publishStatusNow(all: boolean): Promise<void> {
    for (const [key, value] of Object.entries(this.status())) {
      if (!all && this.sent.get(key) === value) continue;
      this.sent.set(key, value);
      await this.publish(`${this.base}/${key}`, value);
    }
  }

  /** Only what changed, as the gateway does when it polls the controller. */
  private publishChanged(): Promise<void> {
    return this.publishStatus(false);
  }

  private publishRetained(name: string, body: unknown): Promise<void> {
    return this.publish(`${this.base}/${name}`, JSON.stringify(body), { retain: true });
  }

  /** Integrates energy since the last sample; a reached energy limit stops the charge. */
  private sample(): void {
    const nowMs = this.clock.nowMs();
    const wasActive = this.active;
    const wh = (this.powerW * (nowMs - this.lastSampleMs)) / 3_600_000;
    this.lastSampleMs = nowMs;
    this.sessionWh += wh;
    this.totalKWh += wh / 1000;
    if (wasActive && !this.active) void this.publishChanged();
  }
}
