import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError, UserError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { DeviceService } from './device-service.js';
import { closeServerNow } from '../shared/close-server.js';

const MAX_BODY_BYTES = 16 * 1024;

/**
 * Lets `hub device add|delete` act through the running hubd, so a deleted device's live MQTT
 * session ends and a gateway yields a new device's node at once. A unix socket in a 0700 folder
 * (the socket itself 0600): whoever may connect may already read hub.db, so the socket adds no
 * power and needs no token. Only device commands are served.
 */
export class DeviceControlSocket implements Component {
  readonly name = 'device-control';
  private server: Server | undefined;
  private failure: string | undefined;

  constructor(
    private readonly devices: DeviceService,
    private readonly socketPath: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const dir = dirname(this.socketPath);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700); // an existing folder may have been made with a wider mode
      rmSync(this.socketPath, { force: true }); // left by a hubd that crashed
      const server = createServer((req, res) => void this.handle(req, res));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.socketPath, () => resolve());
      });
      chmodSync(this.socketPath, 0o600);
      this.server = server;
      this.failure = undefined;
    } catch (err) {
      // The hub serves on without it; `hub device delete` then cannot end live sessions.
      this.failure = describeError(err);
      this.log.error({ path: this.socketPath, err: this.failure }, 'device control socket failed');
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServerNow(server);
  }

  status(): ComponentStatus {
    if (this.failure) return { state: 'down', detail: { reason: this.failure } };
    return this.server ? { state: 'ready', detail: { path: this.socketPath } } : { state: 'stopped' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    };
    try {
      const url = req.url ?? '';
      const del = /^\/devices\/(\d{1,9})$/.exec(url);
      if (req.method === 'DELETE' && del) {
        this.devices.remove(Number(del[1]));
        this.log.info({ deviceId: Number(del[1]) }, 'device deleted by the hub command');
        return reply(204);
      }
      if (req.method === 'POST' && url === '/devices') {
        const b = parseJson(await readBody(req)) as { name?: unknown; kind?: unknown; topicName?: unknown };
        return reply(201, this.devices.add(b.name, b.kind, b.topicName));
      }
      return reply(404, { error: `no ${req.method ?? ''} ${url} here` });
    } catch (err) {
      if (err instanceof UserError) return reply(err.status, { error: err.message, code: err.code });
      this.log.error({ err: describeError(err) }, 'device control request failed');
      return reply(500, { error: describeError(err) });
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new UserError('the body must be JSON', 400);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new UserError('body too large', 413));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
