import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { answersPing } from '../../src/state/embedded-redis.process.js';

export interface TestRedis {
  port: number;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts a real RAM-only redis-server on a free loopback port. */
export async function startRedis(port?: number): Promise<TestRedis> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const deadline = Date.now() + 5000;
  while (!(await answersPing({ host: '127.0.0.1', port: chosen }))) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`redis-server did not start on ${chosen}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    child,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
