// What every device simulator shares: one MQTT session as the firmware opens it (client id, clean
// session, its will), timers on an injectable Clock (a test drives telemetry with a ManualClock),
// reconnecting after a drop as the firmware does, a clean restart with new credentials, a power
// cut (the broker publishes the will) and stop() closing everything.
import { connect, type IClientOptions, type MqttClient, type Packet } from 'mqtt';
import { systemClock, type CancelTimer, type Clock } from '../../src/shared/clock.js';

export interface MqttLogin {
  /** mqtt://host:port */
  url: string;
  username?: string;
  password?: string;
}

export interface Will {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface SimOptions {
  clock?: Clock;
  /** One line per thing the device did, for the CLI; silent by default. */
  log?: (line: string) => void;
}

/** One message the simulated device sent or received. */
export interface SimMessage {
  topic: string;
  payload: string;
}

export abstract class MqttDeviceSim {
  protected readonly clock: Clock;
  protected readonly log: (line: string) => void;
  protected login: MqttLogin | undefined;
  private client: MqttClient | undefined;
  /** Timers of the current session: cancelled when it ends. */
  private readonly sessionTimers = new Set<CancelTimer>();
  /** Timers that outlive a session (reconnect, a reboot's delay). */
  private readonly deviceTimers = new Set<CancelTimer>();
  private stopped = false;
  private firstConnect: { resolve: () => void; promise: Promise<void> } | undefined;
  private readonly connectWaiters: (() => void)[] = [];
  /** How many times the device has connected (a restart adds one). */
  connectCount = 0;

  constructor(opts: SimOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? (() => undefined);
  }

  /** The client id the firmware uses. */
  protected abstract clientId(): string;
  protected abstract will(): Will | undefined;
  /** After CONNACK: what the firmware publishes and subscribes to first. */
  protected abstract onConnected(): Promise<void>;
  protected abstract onMessage(topic: string, payload: Buffer): void;
  /** How long the firmware waits before connecting again after a refused or lost connection. */
  protected abstract readonly reconnectDelayMs: number;

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Connects with `login` (retrying as the firmware does); resolves after the first connect. */
  start(login: MqttLogin): Promise<void> {
    this.stopped = false;
    this.login = login;
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.firstConnect = { resolve, promise };
    this.attempt();
    return promise;
  }

  /** Resolves when the next connection has done what the firmware does first (publish, subscribe). */
  nextConnect(): Promise<void> {
    return new Promise((resolve) => this.connectWaiters.push(resolve));
  }

  /** A clean DISCONNECT (no will), then after `downMs` a connect with `login` (a firmware reboot). */
  async restart(login: MqttLogin, downMs: number): Promise<void> {
    this.login = login;
    await this.closeSession(false);
    this.deviceAfter(downMs, () => this.attempt());
  }

  /** Power cut: the TCP connection just ends, so the broker publishes the will. The device stays off. */
  powerOff(): void {
    this.stopped = true;
    this.cancelAll();
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('close');
      client.stream.destroy();
      client.end(true);
    }
  }

  /** Clean disconnect, every timer cancelled. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelAll();
    await this.closeSession(false);
  }

  protected async publish(topic: string, payload: string, opts: { qos?: 0 | 1; retain?: boolean } = {}) {
    const client = this.client;
    if (!client?.connected) return; // the firmware drops what it cannot send
    this.log(`> ${topic} ${payload}`);
    try {
      await client.publishAsync(topic, payload, { qos: opts.qos ?? 0, retain: opts.retain ?? false });
    } catch {
      // the connection went away under the publish: the firmware does not queue either
    }
  }

  /** Subscribes; returns the granted QoS per filter (128 = refused by the broker). */
  protected async subscribe(filters: string[], qos: 0 | 1 = 0): Promise<number[]> {
    const client = this.client;
    if (!client?.connected) return filters.map(() => 128);
    // The SUBACK as sent: MQTT.js turns a refused filter (0x80) into an error for the whole call.
    return new Promise((resolve) => {
      const onPacket = (packet: Packet) => {
        if (packet.cmd !== 'suback') return;
        client.off('packetreceive', onPacket);
        resolve(packet.granted.map((g) => (typeof g === 'number' ? g : 128)));
      };
      client.on('packetreceive', onPacket);
      client.subscribe(filters, { qos }, () => undefined);
      client.once('close', () => resolve(filters.map(() => 128)));
    });
  }

  protected sessionEvery(intervalMs: number, fn: () => void): void {
    this.sessionTimers.add(this.clock.every(intervalMs, fn));
  }

  protected sessionAfter(delayMs: number, fn: () => void): void {
    const cancel = this.clock.after(delayMs, () => {
      this.sessionTimers.delete(cancel);
      fn();
    });
    this.sessionTimers.add(cancel);
  }

  protected deviceEvery(intervalMs: number, fn: () => void): void {
    this.deviceTimers.add(this.clock.every(intervalMs, fn));
  }

  protected deviceAfter(delayMs: number, fn: () => void): void {
    const cancel = this.clock.after(delayMs, () => {
      this.deviceTimers.delete(cancel);
      fn();
    });
    this.deviceTimers.add(cancel);
  }

  private attempt(): void {
    if (this.stopped || !this.login) return;
    const will = this.will();
    const opts: IClientOptions = {
      clientId: this.clientId(),
      username: this.login.username,
      password: this.login.password,
      clean: true,
      keepalive: 15,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...(will && {
        will: { topic: will.topic, payload: Buffer.from(will.payload), qos: will.qos, retain: will.retain },
      }),
    };
    const client = connect(this.login.url, opts);
    this.client = client;
    let up = false;
    client.on('error', (err) => this.log(`! ${err.message}`));
    client.on('message', (topic, payload) => {
      this.log(`< ${topic} ${payload.toString()}`);
      this.onMessage(topic, payload);
    });
    client.once('connect', () => {
      up = true;
      this.connectCount++;
      this.log(`connected to ${this.login?.url ?? '?'} as ${this.login?.username ?? '(none)'}`);
      void this.onConnected().then(() => {
        this.firstConnect?.resolve();
        for (const resolve of this.connectWaiters.splice(0)) resolve();
      });
    });
    client.once('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.cancelSession();
      client.removeAllListeners();
      client.on('error', () => undefined);
      client.end(true);
      this.log(up ? 'connection lost' : 'connection refused');
      this.deviceAfter(this.reconnectDelayMs, () => this.attempt());
    });
  }

  private async closeSession(force: boolean): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.cancelSession();
    if (!client) return;
    client.removeAllListeners('close');
    client.removeAllListeners('message');
    await client.endAsync(force).catch(() => undefined);
  }

  private cancelSession(): void {
    for (const cancel of this.sessionTimers) cancel();
    this.sessionTimers.clear();
  }

  private cancelAll(): void {
    this.cancelSession();
    for (const cancel of this.deviceTimers) cancel();
    this.deviceTimers.clear();
  }
}

/** `2026-11-27T21:05:00`: how Tasmota writes local time (the simulators keep UTC). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** Six hex digits standing in for the MAC's last three bytes, stable per topic. */
export function hex6(seed: string): string {
  let h = 0x811c9dc5;
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return (h & 0xffffff).toString(16).toUpperCase().padStart(6, '0');
}
