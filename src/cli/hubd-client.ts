import { request } from 'node:http';
import type { CommandResult } from '../api/control/hub-commands.js';
import { UserError } from '../shared/errors.js';

/** An import of a year of feeds takes a while; a hubd silent this long is stuck. */
const IDLE_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs a write command in the running hubd of this data dir, at the socket its run-lock record
 * names (ADR 009). Undefined if nothing listens there (hubd starting, or its socket down).
 */
export function callHubd(
  socketPath: string,
  command: string,
  args: Record<string, unknown>,
): Promise<CommandResult | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath,
        method: 'POST',
        path: `/commands/${command}`,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          try {
            const body = JSON.parse(text) as CommandResult & { error?: string };
            if (res.statusCode === 200) return resolve(body);
            reject(new UserError(body.error ?? `hubd answered ${res.statusCode ?? 0}`, res.statusCode));
          } catch {
            reject(new Error(`hubd answered ${res.statusCode ?? 0} with something that is not JSON`));
          }
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`hubd did not answer on ${socketPath}`)));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') return resolve(undefined);
      if (err.code === 'EACCES')
        return reject(
          new UserError(`hubd is running but ${socketPath} is not yours; run this as hubd's user`),
        );
      reject(err);
    });
    req.end(JSON.stringify(args));
  });
}
