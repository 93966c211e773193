import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { delimiter, join } from 'node:path';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { Logger } from '../shared/logger.js';

const START_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_MS = 2000;
export const REDIS_INSTALL_HINT =
  'redis-server is not installed. Install it with "sudo apt-get install redis-server" ' +
  '(scripts/setup does this), or point HUB_REDIS_URL at a running Redis.';

/**
 * Decides which Redis the hub uses. "auto": our own embedded instance left running by an
 * earlier hubd (it may hold unwritten points), else a Redis already answering on
 * 127.0.0.1:6379, else a new embedded one; "embedded": always our own child `redis-server` (RAM only, unix socket in
 * the run dir, its own process group so a terminal's Ctrl-C reaches hubd first and hubd stops
 * it last). A child left behind by a killed hubd is adopted, so its buffered data is not lost.
 */
export class RedisSupervisor implements Component {
  readonly name = 'redis-server';
  private child: ChildProcess | undefined;
  private adoptedPid: number | undefined;
  private resolvedUrl: string | undefined;
  private problem: string | undefined;

  constructor(
    private readonly configuredUrl: string,
    private readonly runDir: string,
    private readonly log: Logger,
    /** Paces the start-up and stop waits. */
    private readonly clock: Clock,
    /** At stop, true while Redis holds points the feed files have not taken (a failing disk). */
    private holdsUnwrittenData: () => boolean = () => false,
    /** Where "auto" looks for a Redis already running; a test points it elsewhere. */
    private readonly localRedis = { host: '127.0.0.1', port: 6379 },
  ) {}

  /** While `check` says so at stop, redis-server is left running (it holds points not yet written). */
  keepRunningWhile(check: () => boolean): void {
    this.holdsUnwrittenData = check;
  }

  /** The URL the Redis client should use; valid after start. */
  url(): string {
    if (!this.resolvedUrl) throw new Error('Redis URL asked for before the supervisor started');
    return this.resolvedUrl;
  }

  async start(): Promise<void> {
    if (this.configuredUrl !== 'auto' && this.configuredUrl !== 'embedded') {
      this.resolvedUrl = this.configuredUrl;
      return;
    }
    const socketPath = join(this.runDir, 'redis.sock');
    // Before the local probe: a leftover instance of ours is the only holder of its points.
    const leftover = readPid(this.pidFile());
    if (leftover && isRedisProcess(leftover) && (await answersPing({ path: socketPath }))) {
      this.resolvedUrl = `unix://${socketPath}`;
      this.adoptedPid = leftover;
      this.log.warn({ pid: leftover }, 'adopting the embedded redis-server left by an earlier hubd');
      return;
    }
    const { host, port } = this.localRedis;
    if (this.configuredUrl === 'auto' && (await answersPing({ port, host }))) {
      this.resolvedUrl = `redis://${host}:${port}`;
      this.log.info({}, `using the Redis already running on ${host}:${port}`);
      return;
    }
    this.resolvedUrl = `unix://${socketPath}`;
    mkdirSync(this.runDir, { recursive: true, mode: 0o700 });
    const binary = findExecutable('redis-server');
    if (!binary) {
      this.problem = REDIS_INSTALL_HINT;
      this.log.error({}, REDIS_INSTALL_HINT);
      return;
    }
    rmSync(socketPath, { force: true });
    this.child = spawn(
      binary,
      [
        '--port',
        '0',
        '--unixsocket',
        socketPath,
        '--unixsocketperm',
        '700',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { cwd: this.runDir, stdio: 'ignore', detached: true },
    );
    this.child.unref();
    const pid = this.child.pid;
    if (pid) writeFileSync(this.pidFile(), `${pid}\n`);
    this.child.once('exit', (code, signal) => {
      if (this.child) this.log.error({ code, signal }, 'embedded redis-server exited');
      this.child = undefined;
    });
    if (!(await waitFor(this.clock, () => answersPing({ path: socketPath }), START_TIMEOUT_MS))) {
      this.problem = `embedded redis-server did not answer on ${socketPath} within ${START_TIMEOUT_MS} ms`;
      this.log.error({}, this.problem);
      return;
    }
    this.log.info({ pid, socket: socketPath }, 'started embedded redis-server (RAM only)');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    const pid = child?.pid ?? this.adoptedPid;
    if (pid && this.holdsUnwrittenData()) {
      // It is RAM only: stopping it would lose acknowledged points. The next start adopts it
      // (as after a crash of hubd) and writes them once the files take writes again.
      this.adoptedPid = undefined;
      this.log.error({ pid }, 'left the embedded redis-server running: it holds points not yet written');
      return;
    }
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const cancelKill = this.clock.after(STOP_TIMEOUT_MS, () => child.kill('SIGKILL'));
      await exited;
      cancelKill();
    } else if (this.adoptedPid && isRedisProcess(this.adoptedPid)) {
      process.kill(this.adoptedPid, 'SIGTERM');
      await waitFor(this.clock, async () => !isRedisProcess(this.adoptedPid ?? 0), STOP_TIMEOUT_MS);
    }
    if (this.resolvedUrl?.startsWith('unix://')) rmSync(this.pidFile(), { force: true });
    this.adoptedPid = undefined;
  }

  status(): ComponentStatus {
    const mode =
      this.configuredUrl === 'auto' || this.configuredUrl === 'embedded'
        ? this.resolvedUrl?.startsWith('unix://')
          ? 'embedded'
          : 'local'
        : 'external';
    const detail = { mode, ...(this.problem ? { error: this.problem } : {}) };
    if (this.problem) return { state: 'down', detail };
    if (mode === 'embedded' && !this.child && !this.adoptedPid) return { state: 'down', detail };
    return { state: this.resolvedUrl ? 'ready' : 'stopped', detail };
  }

  private pidFile(): string {
    return join(this.runDir, 'redis.pid');
  }
}

/** Sends a raw PING and waits for +PONG; no client library needed for a probe. */
export function answersPing(target: { port: number; host: string } | { path: string }): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(target);
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => finish(false));
    socket.once('error', () => finish(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => finish(data.toString().startsWith('+PONG')));
  });
}

function findExecutable(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter);
  return dirs.map((dir) => join(dir, name)).find((file) => file.startsWith('/') && existsSync(file));
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isRedisProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

async function waitFor(clock: Clock, check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = clock.nowMs() + timeoutMs;
  while (clock.nowMs() < deadline) {
    if (await check()) return true;
    await clock.sleep(50);
  }
  return false;
}
