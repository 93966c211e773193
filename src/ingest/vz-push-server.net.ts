import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { parseVzPush, vzError, vzRefusal } from './vzlogger-payload.js';
import type { VzloggerService } from './vzlogger-service.js';
import { closeServerNow } from '../shared/close-server.js';

const MAX_BODY_BYTES = 1 << 20;

/**
 * volkszaehler's push-server ingest port (5582): vzlogger POSTs `{"data":[{uuid,tuples}]}` to any
 * path, as soon as it reads a meter. Answers as the push-server does (lib/Server/HttpReceiver.php:
 * a malformed body is 400 `1`), except that a refused upload (an unknown UUID) is 400 with the
 * exception body, as the middleware answers it, where the push-server answers 500: it is the
 * sender's mistake, not the hub's; a full write-behind buffer is 503. vzlogger only logs a non-200
 * answer (src/PushData.cpp).
 */
export class VzPushServer implements Component {
  readonly name = 'vzlogger-push';
  /** Its port may be held by another program for a while. */
  readonly onStartFailure = 'retry';
  readonly counters = { requests: 0, refused: 0 };
  private server: Server | undefined;

  constructor(
    private readonly vz: VzloggerService,
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, this.host, () => resolve());
    });
    this.server = server;
    this.log.info({ port: this.boundPort() }, 'vzlogger push listening');
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await closeServerNow(server);
  }

  status(): ComponentStatus {
    return this.server
      ? { state: 'ready', detail: { port: this.boundPort(), ...this.counters } }
      : { state: 'stopped' };
  }

  boundPort(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    if (req.method !== 'POST') return this.reply(res, 405, 'text/plain', 'POST only');
    const badBody = (why: string) => this.refuse(res, 400, '1', why);
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (err) {
      return badBody(`body is not JSON: ${describeError(err)}`);
    }
    const parsed = parseVzPush(body);
    if (!parsed.ok) return badBody(parsed.error);
    try {
      const refusal = vzRefusal(await this.vz.push(parsed.value));
      if (refusal?.bufferFull) {
        // Counted here; ingest logs refusals for a full buffer once a minute.
        this.counters.refused++;
        return this.reply(res, refusal.status, 'application/json', JSON.stringify(refusal.body));
      }
      if (refusal) return this.refuse(res, refusal.status, JSON.stringify(refusal.body), refusal.reason);
      const data = parsed.value.map(({ uuid, tuples }) => ({
        uuid,
        tuples: tuples.map((t) => [t.tsMs, t.value, 1]),
      }));
      this.reply(res, 200, 'application/json', JSON.stringify({ version: '0.3', data }));
    } catch (err) {
      this.refuse(res, 500, JSON.stringify(vzError(describeError(err), 'Exception')), describeError(err));
    }
  }

  private refuse(res: ServerResponse, status: number, body: string, why: string): void {
    this.counters.refused++;
    this.log.warn({ why }, 'vzlogger push refused');
    this.reply(res, status, 'application/json', body);
  }

  private reply(res: ServerResponse, status: number, type: string, body: string): void {
    res.writeHead(status, { 'Content-Type': type }).end(body);
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
