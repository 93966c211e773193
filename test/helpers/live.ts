import { WebSocket } from 'ws';
import type { LiveClientMessage, LiveServerMessage } from '../../src/api/contract.js';

export interface LiveClient {
  ws: WebSocket;
  send(message: LiveClientMessage | string): void;
  /** The next message (already received or coming) that satisfies `predicate`. */
  next<T extends LiveServerMessage['type']>(
    type: T,
    predicate?: (m: Extract<LiveServerMessage, { type: T }>) => boolean,
    timeoutMs?: number,
  ): Promise<Extract<LiveServerMessage, { type: T }>>;
  received: LiveServerMessage[];
}

/** A /ws client; resolves after the hello, rejects with the HTTP status if the upgrade is refused. */
export async function liveClient(
  teardown: { add: (c: () => unknown) => void },
  url: string,
  headers: Record<string, string> = {},
): Promise<LiveClient> {
  const ws = new WebSocket(url, { headers });
  teardown.add(() => ws.terminate());
  const received: LiveServerMessage[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    received.push(JSON.parse(String(data)) as LiveServerMessage);
    for (const wake of waiters) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  const client: LiveClient = {
    ws,
    received,
    send: (m) => ws.send(typeof m === 'string' ? m : JSON.stringify(m)),
    next: (type, predicate = () => true, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const i = received.findIndex(
            (m) => m.type === type && predicate(m as Extract<LiveServerMessage, { type: typeof type }>),
          );
          if (i < 0) return;
          const [found] = received.splice(i, 1);
          cleanup();
          resolve(found as Extract<LiveServerMessage, { type: typeof type }>);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${type} message in ${timeoutMs} ms`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
  await client.next('hello');
  return client;
}
