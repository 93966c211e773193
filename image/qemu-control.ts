// The boot test's handles on a running QEMU: its QMP monitor (the virtual disk's own write
// counters) and the guest's test shell on a virtio-serial port (hub-testshell.service).
import { connect, type Socket } from 'node:net';

/** Parses QMP's query-blockstats answer: bytes and operations written to the drive `device`. */
export function parseBlockstats(answer: unknown, device: string): { wrBytes: number; wrOps: number } {
  const list = (answer as { return?: unknown }).return;
  if (!Array.isArray(list)) throw new Error(`query-blockstats: no list in ${JSON.stringify(answer)}`);
  const entry = list.find(
    (e: { device?: string; qdev?: string }) => e.device === device || e.qdev === device,
  ) as { stats?: { wr_bytes?: number; wr_operations?: number } } | undefined;
  if (!entry?.stats || typeof entry.stats.wr_bytes !== 'number')
    throw new Error(`query-blockstats: no drive ${device} in ${JSON.stringify(answer)}`);
  return { wrBytes: entry.stats.wr_bytes, wrOps: entry.stats.wr_operations ?? 0 };
}

/** Line-delimited JSON to QEMU's QMP socket, one command at a time. */
export class Qmp {
  private buffer = '';
  private waiting: ((message: Record<string, unknown>) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (!line) continue;
        const message = JSON.parse(line) as Record<string, unknown>;
        if ('event' in message) continue; // asynchronous events (RESET, SHUTDOWN, …)
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve?.(message);
      }
    });
  }

  static async open(path: string): Promise<Qmp> {
    const socket = await connectUnix(path);
    const qmp = new Qmp(socket);
    await qmp.next(); // the greeting
    await qmp.execute('qmp_capabilities');
    return qmp;
  }

  async execute(command: string, args?: Record<string, unknown>): Promise<Record<string, unknown>> {
    const answer = this.next();
    this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
    const message = await answer;
    if ('error' in message) throw new Error(`QMP ${command}: ${JSON.stringify(message.error)}`);
    return message;
  }

  close(): void {
    this.socket.destroy();
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => (this.waiting = resolve));
  }
}

/** A root bash in the guest, spoken to with framed commands: `begin; cmd; end <exit code>`. */
export class GuestShell {
  private output = '';
  private seq = 0;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (this.output += chunk));
  }

  static async open(path: string): Promise<GuestShell> {
    return new GuestShell(await connectUnix(path));
  }

  /** Runs `command` in the guest; resolves with its exit code and output (stdout and stderr). */
  async run(command: string, timeoutMs = 60_000): Promise<{ code: number; out: string }> {
    const id = `${process.pid}-${++this.seq}`;
    const begin = `__hub_begin_${id}__\n`;
    const end = new RegExp(`__hub_end_${id}__ (\\d+)\\n`);
    this.socket.write(`echo __hub_begin_${id}__; ( ${command} ) 2>&1; echo "__hub_end_${id}__ $?"\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const start = this.output.indexOf(begin);
      const match = start >= 0 ? end.exec(this.output.slice(start)) : null;
      if (match) {
        const out = this.output.slice(start + begin.length, start + match.index);
        this.output = this.output.slice(start + match.index + match[0].length);
        return { code: Number(match[1]), out: out.trim() };
      }
      if (Date.now() > deadline) throw new Error(`guest shell: no answer to ${JSON.stringify(command)}`);
      await sleepMs(100);
    }
  }

  /** Sends a command whose end the shell will not see (reboot). */
  send(command: string): void {
    this.socket.write(`${command}\n`);
  }

  close(): void {
    this.socket.destroy();
  }
}

export function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function connectUnix(path: string): Promise<Socket> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(path, () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (err) {
      if (attempt >= 50) throw err;
      await sleepMs(200);
    }
  }
}
