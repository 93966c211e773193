import { Redis } from 'ioredis';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { Logger } from '../shared/logger.js';
import { describeError } from '../shared/errors.js';
import { parseRedisTarget, redactRedisUrl } from './redis-url.js';

const CONNECT_WAIT_MS = 3000;
const MAX_BACKOFF_MS = 5000;

/**
 * The hub's Redis connection. Start waits a moment for Redis but never blocks the hub on it:
 * while Redis is down, commands fail fast (no offline queue), the client reconnects with
 * exponential backoff, and the component reports "down" so /readyz answers 503.
 */
export class RedisClient implements Component {
  readonly name = 'redis';
  private client: Redis | undefined;
  private lastError: string | undefined;
  private url = '';
  private readonly readyHandlers: ((client: Redis) => Promise<unknown>)[] = [];

  constructor(
    private readonly resolveUrl: () => string,
    private readonly log: Logger,
    /** Bounds the wait for Redis at start (ioredis paces its own reconnects). */
    private readonly clock: Clock,
  ) {}

  get redis(): Redis {
    if (!this.client) throw new Error('Redis client used before start');
    return this.client;
  }

  /** Runs on every (re)connection, e.g. to rewrite volatile facts lost with a Redis restart. */
  onReady(handler: (client: Redis) => Promise<unknown>): void {
    this.readyHandlers.push(handler);
  }

  async start(): Promise<void> {
    this.url = this.resolveUrl();
    const target = parseRedisTarget(this.url);
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2000,
      // ioredis arms this timer even for a socket that is already closed; 0 keeps stop() clean.
      disconnectTimeout: 0,
      retryStrategy: (attempt: number) => Math.min(100 * 2 ** attempt, MAX_BACKOFF_MS),
    };
    const client =
      target.kind === 'socket'
        ? new Redis({ ...options, path: target.path })
        : new Redis(target.url, options);
    this.client = client;
    client.on('error', (err) => {
      const message = describeError(err);
      if (message !== this.lastError) this.log.warn({ err: message }, 'redis unavailable; retrying');
      this.lastError = message;
    });
    client.on('ready', () => {
      if (this.lastError) this.log.info({}, 'redis connected again');
      this.lastError = undefined;
      for (const handler of this.readyHandlers) {
        handler(client).catch((err) =>
          this.log.warn({ err: describeError(err) }, 'redis ready handler failed'),
        );
      }
    });
    client.connect().catch(() => undefined); // failures are reported by the 'error' handler
    await waitForReady(client, CONNECT_WAIT_MS, this.clock);
  }

  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    const socketOpen = ['connecting', 'connect', 'ready'].includes(client.status);
    if (!socketOpen) return client.disconnect(); // only a reconnect timer to cancel
    const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
    await ended; // the socket is closed, so nothing of the client outlives the hub
  }

  status(): ComponentStatus {
    const detail = { url: redactRedisUrl(this.url), ...(this.lastError ? { error: this.lastError } : {}) };
    if (!this.client) return { state: 'stopped', detail };
    return { state: this.client.status === 'ready' ? 'ready' : 'down', detail };
  }
}

function waitForReady(client: Redis, timeoutMs: number, clock: Clock): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      client.off('ready', done);
      resolve();
    };
    const cancel = clock.after(timeoutMs, done);
    client.once('ready', done);
  });
}
