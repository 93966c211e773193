import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthService } from '../auth/auth-service.js';
import type { Principal } from '../auth/roles.js';
import type { InputsPort } from '../ingest/ports.js';
import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { EventBus, LiveValue } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { canReadFeed } from '../timeseries/feed-access.js';
import type { FeedRecord } from '../timeseries/ports.js';
import { readCookie, SESSION_COOKIE } from './authenticate.js';
import type { DeviceView, LiveClientMessage, LiveServerMessage, PairingStateView } from './contract.js';

export interface LiveSocketDeps {
  auth: AuthService;
  bus: EventBus;
  feed(id: number): FeedRecord | undefined;
  inputs: InputsPort;
  log: Logger;
  /** Drives the credential re-check (a test ticks a ManualClock instead of waiting 30 s). */
  clock: Clock;
  /** A device as everyone signed in sees it (undefined once deleted); absent: no device messages. */
  deviceView?: (id: number) => DeviceView | undefined;
  /** The pairing window and requests, for administrators; absent: no pairing messages. */
  pairingState?: () => PairingStateView;
}

const MAX_IDS = 1000;
const MAX_CLIENTS = 256;
const MAX_BUFFERED_BYTES = 1 << 20;
/** How often open connections' sessions and API keys are checked again (a sign-out ends the flow). */
export const RECHECK_MS = 30_000;

interface Client {
  ws: WebSocket;
  /** Undefined for an anonymous client: public feeds only. */
  principal: Principal | undefined;
  /** How to find out later whether the caller is still allowed in. */
  credential: { kind: 'session' | 'apikey'; secret: string } | undefined;
  feeds: Set<number>;
  inputs: Set<number>;
}

/**
 * `/ws`: a client subscribes to feed and input ids and receives each new value as it becomes
 * readable. Every id is checked against what the caller may read when subscribing and again at
 * each delivery, so a feed made private or a session that ended stops the flow.
 */
export class LiveSocket implements Component {
  readonly name = 'ws';
  readonly counters = {
    clients: 0,
    messagesSent: 0,
    droppedForSlowClients: 0,
    deniedIds: 0,
    refusedConnections: 0,
  };
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private offPushes: (() => void)[] = [];
  private cancelRecheck: CancelTimer | undefined;

  constructor(private readonly deps: LiveSocketDeps) {}

  async start(): Promise<void> {
    const { bus, deviceView, pairingState } = this.deps;
    this.unsubscribe = bus.on('ingest.updated', (u) => this.deliver(u.feeds, u.inputs));
    if (deviceView)
      this.offPushes.push(
        bus.on('device.state.changed', ({ deviceId }) =>
          this.pushDevice(deviceId, () => deviceView(deviceId) ?? null),
        ),
        bus.on('device.removed', ({ deviceId }) => this.pushDevice(deviceId, () => null)),
      );
    if (pairingState)
      this.offPushes.push(
        bus.on('pairing.changed', () =>
          this.push(
            (p) => p.role === 'admin',
            () => ({ type: 'pairing', pairing: pairingState() }),
          ),
        ),
      );
    this.cancelRecheck = this.deps.clock.every(RECHECK_MS, () => this.recheckCredentials());
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    for (const off of this.offPushes) off();
    this.offPushes = [];
    this.cancelRecheck?.();
    this.cancelRecheck = undefined;
    for (const client of this.clients) client.ws.terminate();
    this.clients.clear();
  }

  status(): ComponentStatus {
    return { state: this.unsubscribe ? 'ready' : 'stopped', detail: { ...this.counters } };
  }

  handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    if (!this.unsubscribe) return void socket.destroy();
    if (this.clients.size >= MAX_CLIENTS) {
      this.counters.refusedConnections++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n');
      return;
    }
    const who = this.identify(req);
    if (who === 'refused') {
      this.counters.refusedConnections++;
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, who));
  }

  /** API key (query or Bearer) or session cookie; a cookie only from a page of this hub. */
  private identify(req: IncomingMessage): Pick<Client, 'principal' | 'credential'> | 'refused' {
    const url = new URL(req.url ?? '/', 'http://hub');
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const apiKey = url.searchParams.get('apikey') ?? bearer;
    if (apiKey) {
      const principal = this.deps.auth.principalForApiKey(apiKey);
      return principal ? { principal, credential: { kind: 'apikey', secret: apiKey } } : 'refused';
    }
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!token) return { principal: undefined, credential: undefined };
    // A cookie rides along on cross-site WebSocket handshakes too: accept it only same-origin.
    if (!sameOrigin(req.headers.origin, req.headers.host)) return 'refused';
    const session = this.deps.auth.session(token);
    return session
      ? { principal: session.principal, credential: { kind: 'session', secret: token } }
      : { principal: undefined, credential: undefined };
  }

  private accept(ws: WebSocket, who: Pick<Client, 'principal' | 'credential'>): void {
    const client: Client = { ws, ...who, feeds: new Set(), inputs: new Set() };
    this.clients.add(client);
    this.counters.clients = this.clients.size;
    ws.on('message', (data, isBinary) => this.onMessage(client, isBinary ? '' : String(data)));
    ws.on('close', () => {
      this.clients.delete(client);
      this.counters.clients = this.clients.size;
    });
    ws.on('error', () => ws.terminate());
    this.send(client, {
      type: 'hello',
      user: client.principal ? { username: client.principal.username, role: client.principal.role } : null,
    });
    // An admin's page learns who waits to pair with the socket it opens anyway: no extra request
    // on the way to the first number (docs/web-app.md, Performance), and again after a reconnect.
    if (client.principal?.role === 'admin' && this.deps.pairingState)
      this.send(client, { type: 'pairing', pairing: this.deps.pairingState() });
  }

  private onMessage(client: Client, text: string): void {
    let message: LiveClientMessage;
    try {
      message = JSON.parse(text) as LiveClientMessage;
    } catch {
      return this.send(client, { type: 'error', error: 'send JSON text frames' });
    }
    const feeds = idList(message?.feeds);
    const inputs = idList(message?.inputs);
    if (!feeds || !inputs || (message.op !== 'subscribe' && message.op !== 'unsubscribe')) {
      return this.send(client, {
        type: 'error',
        error: 'expected {"op":"subscribe"|"unsubscribe","feeds":[ids],"inputs":[ids]}',
      });
    }
    if (message.op === 'unsubscribe') {
      feeds.forEach((id) => client.feeds.delete(id));
      inputs.forEach((id) => client.inputs.delete(id));
      return this.send(client, { type: 'unsubscribed', feeds, inputs });
    }
    if (client.feeds.size + client.inputs.size + feeds.length + inputs.length > MAX_IDS)
      return this.send(client, { type: 'error', error: `at most ${MAX_IDS} subscriptions per connection` });
    const okFeeds = feeds.filter((id) => this.mayReadFeed(client, id));
    const okInputs = inputs.filter((id) => this.mayReadInput(client, id));
    const denied = {
      feeds: feeds.filter((id) => !okFeeds.includes(id)),
      inputs: inputs.filter((id) => !okInputs.includes(id)),
    };
    this.counters.deniedIds += denied.feeds.length + denied.inputs.length;
    okFeeds.forEach((id) => client.feeds.add(id));
    okInputs.forEach((id) => client.inputs.add(id));
    this.send(client, { type: 'subscribed', feeds: okFeeds, inputs: okInputs, denied });
    // The current values at once, so a page need not wait for the next reading.
    const feedValues = okFeeds.flatMap((id) => live(id, this.deps.inputs.feedLast(id)));
    const inputValues = okInputs.flatMap((id) => {
      const input = this.deps.inputs.get(id);
      return input?.timeS != null ? [{ id, timeS: input.timeS, value: input.value }] : [];
    });
    if (feedValues.length || inputValues.length)
      this.send(client, { type: 'values', feeds: feedValues, inputs: inputValues });
  }

  private deliver(feeds: readonly LiveValue[], inputs: readonly LiveValue[]): void {
    for (const client of this.clients) {
      if (client.feeds.size === 0 && client.inputs.size === 0) continue;
      const f = feeds.filter((v) => client.feeds.has(v.id) && this.mayReadFeed(client, v.id));
      const i = inputs.filter((v) => client.inputs.has(v.id) && this.mayReadInput(client, v.id));
      if (f.length === 0 && i.length === 0) continue;
      if (client.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.counters.droppedForSlowClients++;
        continue;
      }
      this.send(client, { type: 'values', feeds: f, inputs: i });
    }
  }

  /** Devices are shown to everyone signed in (docs/devices.md, Control); anonymous clients get none. */
  private pushDevice(id: number, device: () => DeviceView | null): void {
    this.push(
      () => true,
      () => ({ type: 'device', id, device: device() }),
    );
  }

  /**
   * `message` to each signed-in client `allowed` admits, skipping those too slow to keep up; made
   * only when someone is there to get it (a plug reports every few seconds).
   */
  private push(allowed: (principal: Principal) => boolean, message: () => LiveServerMessage): void {
    let text: string | undefined;
    for (const client of this.clients) {
      if (!client.principal || !allowed(client.principal) || client.ws.readyState !== client.ws.OPEN)
        continue;
      if (client.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        this.counters.droppedForSlowClients++;
        continue;
      }
      client.ws.send((text ??= JSON.stringify(message())));
      this.counters.messagesSent++;
    }
  }

  private mayReadFeed(client: Client, id: number): boolean {
    const feed = this.deps.feed(id);
    return feed !== undefined && canReadFeed(client.principal, feed);
  }

  /** Inputs are the hub's raw configuration: administrators only. */
  private mayReadInput(client: Client, id: number): boolean {
    return client.principal?.role === 'admin' && this.deps.inputs.get(id) !== undefined;
  }

  private recheckCredentials(): void {
    for (const client of this.clients) {
      const c = client.credential;
      if (!c) continue;
      const principal =
        c.kind === 'session'
          ? this.deps.auth.session(c.secret)?.principal
          : this.deps.auth.principalForApiKey(c.secret);
      if (principal) client.principal = principal;
      else client.ws.close(4401, 'signed out');
    }
  }

  private send(client: Client, message: LiveServerMessage): void {
    if (client.ws.readyState !== client.ws.OPEN) return;
    client.ws.send(JSON.stringify(message));
    this.counters.messagesSent++;
  }
}

/**
 * An Origin naming this host. Browsers always send one on a WebSocket handshake, so a cookie
 * without it did not come from this hub's page; non-browser clients use an API key instead.
 * "null" and garbage are refused too.
 */
function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

function idList(value: unknown): number[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_IDS) return undefined;
  return value.every((id) => Number.isInteger(id) && id > 0) ? [...new Set(value as number[])] : undefined;
}

function live(id: number, tv: { timeS: number; value: number | null } | null): LiveValue[] {
  return tv ? [{ id, timeS: tv.timeS, value: tv.value }] : [];
}
