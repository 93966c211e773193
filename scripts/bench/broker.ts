// npm run bench:broker — N publishers → 1 subscriber through the hub's broker (its auth and ACL
// hooks), a bare Aedes with the same persistence, and Mosquitto when installed, in one run.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';

const PUBLISHERS = 4;
const MESSAGES = { 0: 10_000, 1: 2_000 } as const; // per publisher
const RUNS = 7;
const WINDOW = 100;
const MOSQUITTO = '/usr/sbin/mosquitto';

interface Target {
  name: string;
  start(): Promise<{ port: number; child: ChildProcess }>;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function nodeBroker(mode: 'hub' | 'aedes'): Target {
  return {
    name: mode === 'hub' ? 'hub' : 'bare_aedes',
    start: () =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench/broker-server.ts', mode], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        child.stdout!.once('data', (d: Buffer) => resolve({ port: Number(d.toString().trim()), child }));
        child.once('exit', (code) => reject(new Error(`${mode} broker exited with ${code}`)));
      }),
  };
}

const mosquitto: Target = {
  name: 'mosquitto',
  start: async () => {
    const port = await freePort();
    const conf = join(mkdtempSync(join(tmpdir(), 'hub-bench-mosq-')), 'mosquitto.conf');
    writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    const child = spawn(MOSQUITTO, ['-c', conf], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    return { port, child };
  },
};

async function measure(port: number, qos: 0 | 1): Promise<number> {
  const url = `mqtt://127.0.0.1:${port}`;
  const opts = { reconnectPeriod: 0, username: 'sub', password: 'x' };
  const sub = await connectAsync(url, opts);
  await sub.subscribeAsync('hub/dev/#', { qos });
  const pubs: MqttClient[] = [];
  for (let i = 0; i < PUBLISHERS; i++) pubs.push(await connectAsync(url, { ...opts, username: `pub${i}` }));
  const perPublisher = MESSAGES[qos];
  const total = perPublisher * PUBLISHERS;
  let received = 0;
  const done = new Promise<void>((resolve) =>
    sub.on('message', () => {
      if (++received === total) resolve();
    }),
  );
  const t0 = performance.now();
  // Each publisher keeps at most WINDOW messages unacknowledged (QoS 1) or unwritten (QoS 0).
  await Promise.all(
    pubs.map(async (pub, i) => {
      for (let k = 0; k < perPublisher; k += WINDOW) {
        const batch = [];
        for (let j = k; j < Math.min(perPublisher, k + WINDOW); j++)
          batch.push(pub.publishAsync(`hub/dev/pub${i}/power`, String(j), { qos }));
        await Promise.all(batch);
      }
    }),
  );
  const timeout = new Promise<void>((_, reject) =>
    setTimeout(() => reject(new Error(`only ${received}/${total} received`)), 60_000),
  );
  await Promise.race([done, timeout]);
  const ms = performance.now() - t0;
  await Promise.all([...pubs, sub].map((c) => c.endAsync(true)));
  return total / (ms / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const targets = [
  nodeBroker('hub'),
  nodeBroker('aedes'),
  ...(existsSync(MOSQUITTO) && !process.env.NOMOSQ ? [mosquitto] : []),
];
if (!existsSync(MOSQUITTO))
  console.log(
    JSON.stringify({ bench: 'broker', note: 'mosquitto not installed; compared with bare Aedes only' }),
  );
// All brokers run at once and are measured in turn, run after run, so that drift in the machine's
// load touches each of them alike.
const started = await Promise.all(targets.map(async (t) => ({ name: t.name, ...(await t.start()) })));
try {
  for (const qos of [0, 1] as const) {
    const runs: Record<string, number[]> = Object.fromEntries(started.map((t) => [t.name, []]));
    for (const t of started) await measure(t.port, qos); // warm-up
    for (let r = 0; r < RUNS; r++) for (const t of started) runs[t.name]!.push(await measure(t.port, qos));
    const results = Object.fromEntries(
      Object.entries(runs).map(([name, xs]) => [name, Math.round(median(xs))]),
    );
    console.log(
      JSON.stringify({
        bench: 'broker',
        metric: `messages_per_s_qos${qos}`,
        publishers: PUBLISHERS,
        messages: MESSAGES[qos] * PUBLISHERS,
        runs: RUNS,
        ...results,
        hub_vs_bare_aedes: +(results.hub! / results.bare_aedes!).toFixed(2),
        ...(results.mosquitto ? { hub_vs_mosquitto: +(results.hub! / results.mosquitto).toFixed(2) } : {}),
      }),
    );
  }
} finally {
  for (const t of started) t.child.kill('SIGKILL');
}
