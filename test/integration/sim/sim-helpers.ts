import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import type { HubEvents } from '../../../src/shared/event-bus.js';
import type { TestHub } from '../../helpers/hub.js';
import type { HttpClient } from '../../helpers/http-client.js';
import { mqttClient } from '../../helpers/mqtt.js';

type Teardown = { add: (closer: () => unknown) => void };

export interface Seen {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Creates a device through the API; its own MQTT login. */
export async function addDevice(admin: HttpClient, name: string, kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  const body = res.body as { device: { id: number }; mqttUsername: string; secret: string };
  return { id: body.device.id, username: body.mqttUsername, password: body.secret };
}

/** Everything an observer receives, in order, with a wait for the next matching message. */
export class Recorder {
  readonly seen: Seen[] = [];
  private waiters: { match: (m: Seen) => boolean; resolve: (m: Seen) => void }[] = [];

  constructor(client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      const m = { topic, payload: payload.toString(), retain: packet.retain === true };
      this.seen.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
  }

  /** The next message (from now on) on `topic` (and with `payload`, if given). */
  next(topic: string, payload?: string, timeoutMs = 3000): Promise<Seen> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${topic} ${payload ?? ''} in ${timeoutMs} ms; seen: ${this.describe()}`));
      }, timeoutMs);
      const done = (m: Seen) => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({
        match: (m) => m.topic === topic && (payload === undefined || m.payload === payload),
        resolve: done,
      });
    });
  }

  /** Messages seen since `mark` (an index into seen), as `topic payload` lines. */
  since(mark: number): string[] {
    return this.seen.slice(mark).map((m) => `${m.topic} ${m.payload}`);
  }

  get mark(): number {
    return this.seen.length;
  }

  private describe(): string {
    return this.since(Math.max(0, this.seen.length - 8)).join(' | ');
  }
}

/** Lets messages already on the wire arrive (for asserting that something did not come). */
export const settle = (ms = 300) => new Promise((resolve) => setTimeout(resolve, ms));

/** Who the hub's broker let in, one `<clientId> <principal>:<username>` per connection, in order. */
export function brokerLogins(hub: TestHub, teardown: Teardown): string[] {
  const seen: string[] = [];
  const off = hub.bus.on('mqtt.connected', (e: HubEvents['mqtt.connected']) =>
    seen.push(`${e.clientId} ${e.principal}:${e.username ?? ''}`),
  );
  teardown.add(off);
  return seen;
}

/** The retained message on `topic` as a client subscribing now (as ann) gets it. */
export async function retainedOn(teardown: Teardown, url: string, topic: string, timeoutMs = 3000) {
  const late = await mqttClient(teardown, url, { username: 'ann', password: 'ann-password' });
  try {
    const got = new Recorder(late).next(topic, undefined, timeoutMs);
    await late.subscribeAsync(topic);
    return await got;
  } finally {
    await late.endAsync();
  }
}

export interface SeenLogin {
  clientId: string;
  username: string | undefined;
  password: string | undefined;
}

/** A bare Aedes that lets every CONNECT in and records its login: what a firmware sends. */
export async function loginRecordingBroker(
  teardown: Teardown,
): Promise<{ url: string; logins: SeenLogin[] }> {
  const logins: SeenLogin[] = [];
  const broker = await Aedes.createBroker();
  broker.authenticate = (client, username, password, done) => {
    logins.push({ clientId: client.id, username, password: password?.toString() });
    done(null, true);
  };
  const server = createServer((socket) => broker.handle(socket as never));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  teardown.add(async () => {
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, logins };
}
