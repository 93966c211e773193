import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { closeServerNow } from '../../shared/close-server.js';
import type { Component, ComponentStatus } from '../../shared/component.js';
import { describeError, UserError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { CommandResult, HubCommand } from './hub-commands.js';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * Lets the `hub` command write through the running hubd (ADR 006, ADR 009): `POST /commands/<name>`
 * with the arguments as JSON runs that command on hubd's own services and answers with its
 * output lines and exit code. A unix socket in a 0700 folder, the socket itself 0600: whoever may
 * connect may already read and write hub.db, so the socket adds no power and needs no token.
 */
export class ControlSocket implements Component {
  readonly name = 'control-socket';
  private server: Server | undefined;
  private failure: string | undefined;
  /** Commands still running: stop waits for them, so the flusher is not stopped under a repair. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly commands: Readonly<Record<string, HubCommand>>,
    private readonly socketPath: string,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const dir = dirname(this.socketPath);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700); // an existing folder may have been made with a wider mode
      rmSync(this.socketPath, { force: true }); // left by a hubd that crashed (the run lock is ours)
      const server = createServer((req, res) => void this.handle(req, res));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.socketPath, () => resolve());
      });
      chmodSync(this.socketPath, 0o600);
      this.server = server;
      this.failure = undefined;
    } catch (err) {
      // The hub serves on without it; the `hub` command then refuses to write (hubd holds the lock).
      this.failure = describeError(err);
      this.log.error({ path: this.socketPath, err: this.failure }, 'control socket failed');
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServerNow(server);
    await Promise.allSettled([...this.running]);
  }

  status(): ComponentStatus {
    if (this.failure) return { state: 'down', detail: { reason: this.failure } };
    return this.server ? { state: 'ready', detail: { path: this.socketPath } } : { state: 'stopped' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const name = /^\/commands\/([a-z-]{1,40})$/.exec(req.url ?? '')?.[1];
    const command =
      name !== undefined && req.method === 'POST' && Object.hasOwn(this.commands, name)
        ? this.commands[name]
        : undefined;
    if (!command) return reply(404, { error: `no ${req.method ?? ''} ${req.url ?? ''} here` });
    const run = (async (): Promise<CommandResult> => {
      const args = parseArgs(await readBody(req));
      return command(args);
    })();
    this.running.add(run);
    try {
      const result = await run;
      this.log.info({ command: name, code: result.code }, 'ran a hub command');
      reply(200, result);
    } catch (err) {
      if (err instanceof UserError) return reply(err.status, { error: err.message, code: err.code });
      this.log.error({ command: name, err: describeError(err) }, 'hub command failed');
      reply(500, { error: describeError(err) });
    } finally {
      this.running.delete(run);
    }
  }
}

function parseArgs(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text || '{}');
  } catch {
    throw new UserError('the body must be JSON', 400);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UserError('the body must be a JSON object of arguments', 400);
  return parsed as Record<string, unknown>;
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
