import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { Logger } from '../shared/logger.js';
import { UpgradeRoutes, type UpgradeHandler } from './upgrade-routes.js';

export const DRAIN_MS = 2000;

export type { UpgradeHandler };

/** Listens for the app; on stop it refuses new connections and drains open ones for up to 2 s. */
export class HttpServer implements Component {
  readonly name = 'http';
  /** Its port may be held for a while (an old hubd still draining): try again, the app waits. */
  readonly onStartFailure = 'retry';
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(
    private readonly app: Express,
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
    private readonly clock: Clock,
    /** The upgrade paths the modules added (/mqtt, /ws). */
    private readonly upgrades: UpgradeRoutes = new UpgradeRoutes(),
  ) {}

  /** The port actually bound (useful when configured as 0); undefined while not listening. */
  get boundPortOrUndefined(): number | undefined {
    return this.boundPort;
  }

  /** The port actually bound (useful when configured as 0). */
  get listeningPort(): number {
    if (this.boundPort === undefined) throw new Error('HTTP server is not listening');
    return this.boundPort;
  }

  /** Routes WebSocket upgrades of one path (/mqtt, /ws); any other upgrade is refused. */
  onUpgrade(path: string, handler: UpgradeHandler): void {
    this.upgrades.onUpgrade(path, handler);
  }

  async start(): Promise<void> {
    const server = createServer(this.app);
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10_000;
    // The whole request, body included: an update bundle (tens of MB, at most 1 GiB) over a
    // householder's Wi-Fi takes minutes (test:image found 30 s too short). Headers stay at 10 s;
    // JSON bodies are capped in size by the body parser.
    server.requestTimeout = 15 * 60_000;
    this.server = server;
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://hub').pathname;
      const handler = this.upgrades.handlerFor(path);
      if (handler) return handler(req, socket, head);
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.log.info({ host: this.host, port: this.boundPort }, 'http listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const cancelDrain = this.clock.after(DRAIN_MS, () => server.closeAllConnections());
    await closed;
    cancelDrain();
  }

  status(): ComponentStatus {
    if (!this.server) return { state: 'stopped' };
    return { state: 'ready', detail: { host: this.host, port: this.boundPort } };
  }
}
