import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { Clock } from '../shared/clock.js';

/** Fetches a URL's JSON body; rejects with a reason a person can act on. */
export type HttpGetJson = (url: string) => Promise<unknown>;

const MAX_BODY_BYTES = 2 * 1024 * 1024;

/**
 * GET with a time limit (on the real clock: a network wait) and a body size limit, for forecast
 * sources. A new connection each time (fetches are an hour or more apart: a kept-alive socket
 * would only have gone stale). The answer must be 200 and JSON.
 */
export function httpGetJson(clock: Clock, timeoutMs: number): HttpGetJson {
  return (url) =>
    new Promise((resolve, reject) => {
      const get = url.startsWith('https:') ? httpsGet : httpGet;
      let settled = false;
      const finish = (err: Error | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        cancel();
        if (err) reject(err);
        else resolve(value);
      };
      const req = get(
        url,
        { agent: false, headers: { accept: 'application/json' } },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            res.resume();
            return finish(new Error(`HTTP ${res.statusCode}`));
          }
          const chunks: Buffer[] = [];
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > MAX_BODY_BYTES) {
              req.destroy();
              return finish(new Error(`answer over ${MAX_BODY_BYTES} bytes`));
            }
            chunks.push(chunk);
          });
          res.on('error', (err) => finish(new Error(`answer cut off (${err.message})`)));
          res.on('end', () => {
            try {
              finish(undefined, JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
            } catch {
              finish(new Error('the answer is not JSON'));
            }
          });
        },
      );
      const cancel = clock.after(timeoutMs, () => {
        req.destroy();
        finish(new Error(`no answer within ${timeoutMs / 1000} s`));
      });
      req.on('error', (err: NodeJS.ErrnoException) =>
        finish(new Error(`cannot reach it (${err.code ?? err.message})`)),
      );
    });
}
