import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs a TypeScript entry (src/main.ts, src/cli/main.ts) on this Node, as the compiled one would run. */
export function spawnEntry(entry: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function collect(child: ChildProcess): {
  output: () => { stdout: string; stderr: string };
  done: Promise<Finished>;
} {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Finished>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { output: () => ({ stdout, stderr }), done };
}

export async function runEntry(
  entry: string,
  args: string[],
  env: Record<string, string>,
  stdin = '',
): Promise<Finished> {
  const child = spawnEntry(entry, args, env);
  const { done } = collect(child);
  child.stdin?.end(stdin);
  return done;
}

/** True while a process exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** hubd as a process on ephemeral ports with its own embedded Redis; killed at teardown if still alive. */
export function spawnHubd(
  teardown: { add: (c: () => unknown) => void },
  dataDir: string,
  env: Record<string, string> = {},
): { hubd: ChildProcess; output: () => { stdout: string; stderr: string }; done: Promise<Finished> } {
  const hubd = spawnEntry('src/main.ts', [], {
    HUB_DATA_DIR: dataDir,
    HUB_MDNS: '0',
    HUB_HTTP_PORT: '0',
    HUB_MQTT_PORT: '0',
    HUB_MQTT_TLS_PORT: '0',
    HUB_VZLOGGER_PORT: '0',
    HUB_REDIS_URL: 'embedded',
    ...env,
  });
  teardown.add(() => hubd.exitCode === null && hubd.signalCode === null && hubd.kill('SIGKILL'));
  return { hubd, ...collect(hubd) };
}
