// npm run bench:memory — hubd's memory as production runs it (the built dist/ through scripts/hubd,
// plain node with its flags: tsx would add its compiler and source maps to the heap) idle on an
// empty data dir, then under a soak of MQTT clients each publishing one reading a second. Baseline
// in the same run: a bare Aedes with the same LevelDB persistence and node flags, holding the same
// clients. Resident set from /proc/<pid>/status (anonymous = private; file = pages of the node
// binary and libraries, shared and reclaimable), the proportional set from
// /proc/<pid>/smaps_rollup (Pss: shared pages divided among the processes mapping them, so a
// node binary shared with other node processes counts in part), V8 heap from the `memory`
// component of /readyz.
// Options: --clients N (200), --soak-s S (120), --idle-s S (30), --no-baseline (hubd only, for a
// quick look; the figures to compare come with the baseline).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';
import { freePort, waitUntilReady } from '../hubd-process.js';

const { values: opts } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    'soak-s': { type: 'string', default: '120' },
    'idle-s': { type: 'string', default: '30' },
    baseline: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const CLIENTS = Number(opts.clients);
const SOAK_S = Number(opts['soak-s']);
const IDLE_S = Number(opts['idle-s']);
const SAMPLE_MS = 5000;
const PASSWORD = 'bench-password';
const TARGET = { idleRssMb: 80, soakRssMb: 150 };

// The flags scripts/hubd gives node, so that the bare Aedes runs under the same V8 settings.
const NODE_FLAGS = (/^node_flags="([^"]*)"/m.exec(readFileSync('scripts/hubd', 'utf8'))?.[1] ?? '')
  .split(' ')
  .filter(Boolean);

const BARE_AEDES = `
import { Aedes } from 'aedes';
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { Level } from 'level';
import { createServer } from 'node:net';
const persistence = new AsyncLevelPersistence(new Level(process.argv[1]));
const broker = await Aedes.createBroker({ persistence, concurrency: 0, drainTimeout: 20_000 });
const server = createServer(broker.handle).listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

const dirs: string[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const emit = (fields: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'memory', ...fields }));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const mb = (kb: number) => Math.round(kb / 102.4) / 10;

interface ProcMemory {
  rssMb: number;
  anonMb: number;
  fileMb: number;
  /** Proportional set size: Pss_Anon + Pss_File (+ Pss_Shmem), from smaps_rollup. */
  pssMb: number;
  pssAnonMb: number;
  pssFileMb: number;
  peakMb: number;
  cpuS: number;
}

/** Resident set (VmRSS = RssAnon + RssFile + RssShmem), its peak, and CPU time used so far. */
function procMemory(pid: number): ProcMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  // Fields 14 and 15 of /proc/<pid>/stat, after the parenthesised command name: utime, stime.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const rollupKb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(rollup)?.[1] ?? NaN);
  return {
    rssMb: mb(kb('VmRSS')),
    anonMb: mb(kb('RssAnon')),
    fileMb: mb(kb('RssFile')),
    pssMb: mb(rollupKb('Pss')),
    pssAnonMb: mb(rollupKb('Pss_Anon')),
    pssFileMb: mb(rollupKb('Pss_File')),
    peakMb: mb(kb('VmHWM')),
    cpuS: (Number(stat[11]) + Number(stat[12])) / 100,
  };
}

interface Broker {
  name: string;
  pid: number;
  mqttPort: number;
  child: ChildProcess;
  /** hubd only: the `memory` and ingest details of /readyz. */
  readyz?: () => Promise<Record<string, { detail?: Record<string, number> }>>;
  redisPid?: () => number | undefined;
}

async function startHubd(): Promise<Broker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-memory-'));
  dirs.push(dataDir);
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    HUB_DATA_DIR: dataDir,
    HUB_MDNS: '0',
    HUB_HTTP_PORT: String(httpPort),
    HUB_MQTT_PORT: String(mqttPort),
    HUB_MQTT_TLS_PORT: '0',
    HUB_VZLOGGER_PORT: '0',
    HUB_REDIS_URL: 'embedded',
    HUB_LOG_LEVEL: 'warn',
  };
  // Defaults but for an emonhub-style login the clients share and room for one node per client.
  writeFileSync(
    join(dataDir, 'hub.json'),
    JSON.stringify({
      mqtt: { legacyLogin: { enabled: true, password: PASSWORD }, limits: { maxConnections: CLIENTS + 56 } },
      ingest: { maxNodes: CLIENTS + 8 },
    }),
  );
  const cli = spawnSync('scripts/hub', ['user', 'add', 'bench', '--admin'], { env, input: `${PASSWORD}\n` });
  if (cli.status !== 0) throw new Error(`hub user add: ${String(cli.stderr)}`);
  const child = spawn('scripts/hubd', [], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${httpPort}`;
  await waitUntilReady(base, 60_000);
  const login = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: PASSWORD }),
  });
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
  return {
    name: 'hubd',
    pid: child.pid!,
    mqttPort,
    child,
    readyz: async () =>
      ((await (await fetch(`${base}/readyz`, { headers: { cookie } })).json()) as { components: never })
        .components,
    redisPid: () => {
      try {
        return Number(readFileSync(join(dataDir, 'run', 'redis.pid'), 'utf8'));
      } catch {
        return undefined;
      }
    },
  };
}

async function startBareAedes(): Promise<Broker> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-memory-aedes-'));
  dirs.push(dir);
  const child = spawn(process.execPath, [...NODE_FLAGS, '--input-type=module', '-e', BARE_AEDES, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const mqttPort = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', (code) => reject(new Error(`bare Aedes exited with ${code}`)));
  });
  return { name: 'bare_aedes', pid: child.pid!, mqttPort, child };
}

/** CLIENTS emonhub-like clients, each publishing emon/bench<i>/power once a second, phases spread. */
async function soak(broker: Broker): Promise<{ samples: ProcMemory[]; published: number; seen: number }> {
  const url = `mqtt://127.0.0.1:${broker.mqttPort}`;
  const clients: MqttClient[] = [];
  // One at a time: the hub admits only a few logins in progress per address.
  for (let i = 0; i < CLIENTS; i++)
    clients.push(
      await connectAsync(url, {
        clientId: `bench-${i}`,
        username: 'emonpi',
        password: PASSWORD,
        reconnectPeriod: 0,
        keepalive: 60,
      }),
    );
  let seen = 0;
  let watcher: MqttClient | undefined;
  if (!broker.readyz) {
    watcher = await connectAsync(url, { reconnectPeriod: 0 });
    await watcher.subscribeAsync('emon/#');
    watcher.on('message', () => seen++);
  }
  let published = 0;
  const timers = clients.map((client, i) => {
    const start = setTimeout(
      () => {
        const tick = () => {
          client.publish(`emon/bench${i}/power`, (100 + Math.random() * 900).toFixed(1));
          published++;
        };
        tick();
        timers[i] = setInterval(tick, 1000);
      },
      (i * 1000) / CLIENTS,
    );
    return start;
  });
  const samples: ProcMemory[] = [];
  const endMs = Date.now() + SOAK_S * 1000;
  while (Date.now() < endMs) {
    await sleep(SAMPLE_MS);
    samples.push(procMemory(broker.pid));
  }
  for (const t of timers) clearInterval(t);
  if (broker.readyz) {
    const detail = (await broker.readyz())['mqtt-ingest']?.detail;
    seen = detail?.messages ?? NaN;
  }
  await Promise.all([...clients, ...(watcher ? [watcher] : [])].map((c) => c.endAsync(true)));
  return { samples, published, seen };
}

const started: Broker[] = [];
try {
  const hubd = await startHubd();
  started.push(hubd);
  const aedes = opts.baseline ? await startBareAedes() : undefined;
  if (aedes) started.push(aedes);
  await sleep(IDLE_S * 1000);
  const [hubIdle, aedesIdle] = [procMemory(hubd.pid), aedes && procMemory(aedes.pid)];
  const idleHeap = (await hubd.readyz!()).memory?.detail;
  const redisPid = hubd.redisPid!();
  emit({
    phase: 'idle',
    node_flags: NODE_FLAGS.join(' '),
    idle_s: IDLE_S,
    rss_mb: hubIdle.rssMb,
    rss_anon_mb: hubIdle.anonMb,
    rss_file_mb: hubIdle.fileMb,
    pss_mb: hubIdle.pssMb,
    pss_anon_mb: hubIdle.pssAnonMb,
    pss_file_mb: hubIdle.pssFileMb,
    peak_rss_mb: hubIdle.peakMb,
    heap_used_mb: idleHeap?.heapUsedMb,
    heap_total_mb: idleHeap?.heapTotalMb,
    external_mb: idleHeap?.externalMb,
    bare_aedes_rss_mb: aedesIdle?.rssMb,
    bare_aedes_rss_anon_mb: aedesIdle?.anonMb,
    bare_aedes_rss_file_mb: aedesIdle?.fileMb,
    bare_aedes_pss_mb: aedesIdle?.pssMb,
    redis_server_rss_mb: redisPid ? procMemory(redisPid).rssMb : undefined,
    target_rss_mb: TARGET.idleRssMb,
  });

  // One broker at a time, so that the two soaks do not compete for the CPU.
  const results: Record<
    string,
    { steady: ProcMemory; peakMb: number; cpuS: number; published: number; seen: number }
  > = {};
  for (const broker of aedes ? [hubd, aedes] : [hubd]) {
    const before = procMemory(broker.pid);
    const { samples, published, seen } = await soak(broker);
    // Steady state: the median of the last third of the samples (the issue saw it flat after a minute).
    const tail = samples.slice(-Math.max(1, Math.floor(samples.length / 3)));
    const pick = (key: keyof ProcMemory) => median(tail.map((s) => s[key]));
    results[broker.name] = {
      steady: {
        rssMb: pick('rssMb'),
        anonMb: pick('anonMb'),
        fileMb: pick('fileMb'),
        pssMb: pick('pssMb'),
        pssAnonMb: pick('pssAnonMb'),
        pssFileMb: pick('pssFileMb'),
        peakMb: 0,
        cpuS: 0,
      },
      peakMb: Math.max(...samples.map((s) => s.peakMb)),
      cpuS: Math.round((samples.at(-1)!.cpuS - before.cpuS) * 10) / 10,
      published,
      seen,
    };
  }
  const soakHeap = (await hubd.readyz!()).memory?.detail;
  const [hub, bare] = [results.hubd!, results.bare_aedes];
  emit({
    phase: 'soak',
    node_flags: NODE_FLAGS.join(' '),
    clients: CLIENTS,
    messages_per_s: CLIENTS,
    soak_s: SOAK_S,
    rss_mb: hub.steady.rssMb,
    rss_anon_mb: hub.steady.anonMb,
    rss_file_mb: hub.steady.fileMb,
    pss_mb: hub.steady.pssMb,
    pss_anon_mb: hub.steady.pssAnonMb,
    pss_file_mb: hub.steady.pssFileMb,
    peak_rss_mb: hub.peakMb,
    heap_used_mb: soakHeap?.heapUsedMb,
    heap_total_mb: soakHeap?.heapTotalMb,
    cpu_s: hub.cpuS,
    published: hub.published,
    ingested: hub.seen,
    bare_aedes_rss_mb: bare?.steady.rssMb,
    bare_aedes_rss_anon_mb: bare?.steady.anonMb,
    bare_aedes_rss_file_mb: bare?.steady.fileMb,
    bare_aedes_pss_mb: bare?.steady.pssMb,
    bare_aedes_peak_rss_mb: bare?.peakMb,
    bare_aedes_cpu_s: bare?.cpuS,
    bare_aedes_delivered: bare?.seen,
    redis_server_rss_mb: redisPid ? procMemory(redisPid).rssMb : undefined,
    target_rss_mb: TARGET.soakRssMb,
  });
} finally {
  for (const b of started) b.child.kill('SIGTERM');
  await sleep(500);
  for (const b of started) if (b.child.exitCode === null) b.child.kill('SIGKILL');
  // A hubd that died on its own left its embedded redis-server behind.
  for (const b of started) {
    const pid = b.redisPid?.();
    try {
      if (pid) process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
