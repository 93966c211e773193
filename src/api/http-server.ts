import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { Logger } from '../shared/logger.js';

const DRAIN_MS = 2000;

/** Listens for the app; on stop it refuses new connections and drains open ones for up to 2 s. */
export class HttpServer implements Component {
  readonly name = 'http';
  private server: Server | undefined;
  private boundPort: number | undefined;

  constructor(
    private readonly app: Express,
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {}

  /** The port actually bound (useful when configured as 0). */
  get listeningPort(): number {
    if (this.boundPort === undefined) throw new Error('HTTP server is not listening');
    return this.boundPort;
  }

  /** The raw server, for upgrade handlers (/ws, /mqtt) that later capabilities attach. */
  get httpServer(): Server {
    if (!this.server) throw new Error('HTTP server is not started');
    return this.server;
  }

  async start(): Promise<void> {
    const server = createServer(this.app);
    server.keepAliveTimeout = 5000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    this.server = server;
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
    const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    await closed;
    clearTimeout(timer);
  }

  status(): ComponentStatus {
    if (!this.server) return { state: 'stopped' };
    return { state: 'ready', detail: { host: this.host, port: this.boundPort } };
  }
}
