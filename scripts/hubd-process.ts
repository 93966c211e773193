// What the benches and the demo do around a hubd they start: pick free ports, wait for /readyz.
import { createServer, type AddressInfo } from 'node:net';

/** A loopback TCP port free at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** Resolves once hubd at `baseUrl` answers /readyz with 200; throws after `timeoutMs`. */
export async function waitUntilReady(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`hubd at ${baseUrl} did not become ready in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
