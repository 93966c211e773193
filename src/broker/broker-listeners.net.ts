import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { markWebSocket } from './transports.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { inspectReads } from './aedes-internals.net.js';
import type { BrokerCounters } from './broker-stats.js';
import type { TlsMaterial } from './certificates.process.js';
import { PreAuthBudget } from './connection-budget.js';
import { FrameGuard, type FrameVerdict } from './frame-guard.js';

export interface ListenerSettings {
  host: string;
  port: number;
  tls: { enabled: boolean; host: string; port: number };
  websocket: { enabled: boolean };
  limits: {
    maxPacketBytes: number;
    maxConnections: number;
    maxPreAuthConnections: number;
    maxPreAuthPerAddress: number;
  };
}

export interface ListenerDeps {
  tls: () => TlsMaterial;
  onUpgrade(path: string, handler: (req: IncomingMessage, socket: Socket, head: Buffer) => void): void;
  counters: BrokerCounters;
  log: Logger;
  /** Hands an admitted connection to the broker. */
  handle(stream: Duplex): void;
}

/**
 * The broker's listeners (TCP, TLS with the hub's certificate, WebSocket at /mqtt) and what each
 * connection passes before Aedes sees it: the pre-auth budget and the frame guard.
 */
export class BrokerListeners {
  private readonly servers: { name: string; server: Server }[] = [];
  private wss: WebSocketServer | undefined;
  private readonly preAuth: PreAuthBudget;
  private readonly preAuthRelease = new WeakMap<Duplex, () => void>();
  /** Why TLS is off although configured (no certificate). */
  tlsProblem: string | undefined;

  constructor(
    private readonly settings: ListenerSettings,
    private readonly deps: ListenerDeps,
  ) {
    const { maxPreAuthConnections, maxPreAuthPerAddress } = settings.limits;
    this.preAuth = new PreAuthBudget(maxPreAuthConnections, maxPreAuthPerAddress);
  }

  get preAuthConnections(): number {
    return this.preAuth.size;
  }

  /** The connection has logged in: it leaves the pre-auth budget. */
  loggedIn(conn: Duplex): void {
    this.preAuthRelease.get(conn)?.();
  }

  async open(): Promise<void> {
    const { settings } = this;
    await this.listen(
      'tcp',
      createNetServer((socket) => this.accept(socket)),
      settings.host,
      settings.port,
    );
    if (settings.tls.enabled) await this.listenTls();
    if (settings.websocket.enabled) {
      this.wss = new WebSocketServer({ noServer: true, maxPayload: settings.limits.maxPacketBytes + 16 });
      this.deps.onUpgrade('/mqtt', (req, socket, head) => {
        this.wss?.handleUpgrade(req, socket, head, (ws) => {
          const stream = createWebSocketStream(ws);
          markWebSocket(stream);
          stream.on('error', () => stream.destroy());
          req.socket.setKeepAlive(true, 60_000);
          this.accept(stream, req.socket.remoteAddress);
        });
      });
    }
  }

  /** Stops accepting; resolves when every server has closed (after the broker closed its clients). */
  close(): Promise<void> {
    const closing = this.servers.map(({ server }) => new Promise<void>((r) => server.close(() => r())));
    this.wss?.close();
    this.servers.length = 0;
    return Promise.all(closing).then(() => undefined);
  }

  /** The ports actually bound (a listener that is off or failed is absent). */
  ports(): { tcp?: number; tls?: number } {
    return Object.fromEntries(
      this.servers.map(({ name, server }) => [name, (server.address() as AddressInfo).port]),
    );
  }

  /** Without certificates (openssl missing, a bad user file) the hub runs on, without TLS. */
  private async listenTls(): Promise<void> {
    let tls: TlsMaterial;
    try {
      tls = this.deps.tls();
    } catch (err) {
      this.tlsProblem = describeError(err);
      this.deps.log.error({ err: this.tlsProblem }, 'MQTT over TLS is off: no certificate');
      return;
    }
    const server = createTlsServer({ key: tls.keyPem, cert: tls.certPem, minVersion: 'TLSv1.2' }, (socket) =>
      this.accept(socket),
    );
    await this.listen('tls', server, this.settings.tls.host, this.settings.tls.port);
  }

  private async listen(name: string, server: Server, host: string, port: number): Promise<void> {
    // A hard ceiling on sockets; logged-in clients and the pre-auth budget are checked apart.
    const { maxConnections, maxPreAuthConnections } = this.settings.limits;
    // Two pre-auth pools: the open one and the one of addresses that logged in before.
    server.maxConnections = maxConnections + 2 * maxPreAuthConnections;
    server.on('drop', (data?: { remoteAddress?: string }) => {
      this.deps.counters.refusedConnections++;
      this.deps.log.warn(
        { listener: name, remoteAddress: data?.remoteAddress },
        'mqtt connection refused: too many connections',
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.servers.push({ name, server });
    this.deps.log.info(
      { listener: name, host, port: (server.address() as AddressInfo).port },
      'mqtt listening',
    );
  }

  /**
   * Hands a connection to Aedes if the pre-auth budget has room, behind a guard that cuts it at
   * the first oversized packet or invalid string, and answers an unknown protocol level.
   */
  private accept(stream: Duplex, remoteAddress?: string): void {
    const remote = remoteAddress ?? (stream as Socket).remoteAddress ?? '';
    const slot = this.preAuth.admit(remote);
    if ('refused' in slot) {
      this.deps.counters.refusedConnections++;
      this.deps.log.warn(
        { remoteAddress: remote, budget: slot.refused },
        'mqtt connection refused: too many connections not logged in',
      );
      stream.destroy();
      return;
    }
    const leaveBudget = slot.release;
    this.preAuthRelease.set(stream, () => {
      this.preAuth.noteLoggedIn(remote);
      leaveBudget();
    });
    stream.once('close', leaveBudget);
    // TCP keepalive reaps peers that vanished, also those that asked for no MQTT keepalive.
    if ('setKeepAlive' in stream) (stream as Socket).setKeepAlive(true, 60_000);
    const guard = new FrameGuard(this.settings.limits.maxPacketBytes);
    inspectReads(stream, (chunk) => {
      const verdict = guard.push(chunk);
      if (verdict.kind === 'ok') return true;
      this.refuseFrame(stream, remote, verdict);
      return false;
    });
    this.deps.handle(stream);
  }

  private refuseFrame(stream: Duplex, remote: string, verdict: Exclude<FrameVerdict, { kind: 'ok' }>): void {
    const { log, counters } = this.deps;
    if (verdict.kind === 'bad-protocol-level') {
      // MQTT-3.1.2-2: CONNACK 1 (unacceptable protocol level), then close.
      counters.refusedConnections++;
      log.warn({ remoteAddress: remote, level: verdict.level }, 'mqtt connection refused: protocol level');
      stream.end(Buffer.from([0x20, 0x02, 0x00, 0x01]), () => stream.destroy());
      return;
    }
    counters.kickedClients++;
    if (verdict.kind === 'oversized') {
      log.warn(
        { remoteAddress: remote, bytes: verdict.bytes },
        'mqtt packet over the size limit; disconnected',
      );
    } else {
      log.warn({ remoteAddress: remote, why: verdict.why }, 'mqtt string not valid UTF-8; disconnected');
    }
    stream.destroy();
  }
}
