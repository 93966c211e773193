// npm run bench:ingest — end to end through a real hubd (own process, embedded Redis): readings
// published over MQTT or posted to input/bulk until readable through feed/data.json, and the
// latency from an MQTT publish to its /ws delivery at a steady rate. Baseline in the same run: the
// same MQTT messages delivered by the same hub's broker to a plain subscriber (no ingest).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { WebSocket } from 'ws';
import { freePort, waitUntilReady } from '../hubd-process.js';

const PUBLISHERS = 4;
const SINGLE_MESSAGES = 20_000; // per publisher
const JSON_MESSAGES = 5_000; // per publisher, 10 values each
const BULK_REQUESTS = 40; // of 1000 rows × 10 values
const WINDOW = 200;
const STEADY_RATE_PER_S = 1000;
const STEADY_SECONDS = 10;
const TICKS_PER_S = 100;

interface Hub {
  child: ChildProcess;
  http: string;
  mqtt: string;
  apiKey: string;
  cookie: string;
}

async function startHub(): Promise<Hub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-ingest-'));
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  writeFileSync(
    join(dataDir, 'hub.json'),
    JSON.stringify({
      mqtt: { tls: { enabled: false }, limits: { publishRatePerS: 1_000_000, publishBurst: 1_000_000 } },
      ingest: { vzloggerPush: { enabled: false }, maxNodes: 1000 },
      log: { level: 'warn' },
    }),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      HUB_DATA_DIR: dataDir,
      HUB_MDNS: '0',
      HUB_HTTP_PORT: String(httpPort),
      HUB_MQTT_PORT: String(mqttPort),
      HUB_REDIS_URL: 'embedded',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const http = `http://127.0.0.1:${httpPort}`;
  await waitUntilReady(http);
  const onboard = await fetch(`${http}/api/v1/onboarding`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
  });
  const cookie = (onboard.headers.get('set-cookie') ?? '').split(';')[0]!;
  const keys = (await (await fetch(`${http}/api/v1/me/apikeys`, { headers: { cookie } })).json()) as {
    writeApiKey: string;
  };
  return { child, http, mqtt: `mqtt://127.0.0.1:${mqttPort}`, apiKey: keys.writeApiKey, cookie };
}

/** CPU seconds used so far by hubd and its children (the embedded redis-server). */
function cpuSeconds(pid: number): number {
  const ticks = (p: number) => {
    const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  return [pid, ...children.map(Number)].reduce((sum, p) => sum + ticks(p), 0) / TICKS_PER_S;
}

async function api(hub: Hub, path: string, init: RequestInit = {}): Promise<unknown> {
  const sep = path.includes('?') ? '&' : '?';
  const res = await fetch(`${hub.http}${path}${sep}apikey=${hub.apiKey}`, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return text.startsWith('[') || text.startsWith('{') ? JSON.parse(text) : text;
}

/** One feed per input, each input logging to it (process 1). */
async function wireInputs(hub: Hub, node: string, names: string[]): Promise<number[]> {
  const inputs = (await api(hub, '/api/v1/inputs')) as { id: number; node: string; name: string }[];
  const feeds: number[] = [];
  for (const name of names) {
    const input = inputs.find((i) => i.node === node && i.name === name);
    if (!input) throw new Error(`input ${node}/${name} missing`);
    const feed = (await api(hub, '/api/v1/feeds', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${node}_${name}`, intervalS: 1 }),
    })) as { id: number };
    await api(hub, `/api/v1/inputs/${input.id}/process`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ steps: [{ id: 1, arg: feed.id }] }),
    });
    feeds.push(feed.id);
  }
  return feeds;
}

async function ingestedValues(hub: Hub): Promise<number> {
  const ready = (await (await fetch(`${hub.http}/readyz?apikey=${hub.apiKey}`)).json()) as {
    components: { ingest: { detail: { values: number } } };
  };
  return ready.components.ingest.detail.values;
}

async function waitForValues(hub: Hub, target: number): Promise<void> {
  while ((await ingestedValues(hub)) < target) await new Promise((r) => setTimeout(r, 5));
}

/** Publishes `count` messages per publisher, WINDOW at a time; returns when all are written. */
async function blast(
  pubs: MqttClient[],
  count: number,
  message: (pub: number, i: number) => [string, string],
) {
  await Promise.all(
    pubs.map(async (pub, p) => {
      for (let k = 0; k < count; k += WINDOW) {
        const batch = [];
        for (let i = k; i < Math.min(count, k + WINDOW); i++) batch.push(pub.publishAsync(...message(p, i)));
        await Promise.all(batch);
      }
    }),
  );
}

async function throughput(hub: Hub, kind: 'single' | 'json10'): Promise<void> {
  const pubs: MqttClient[] = [];
  for (let p = 0; p < PUBLISHERS; p++)
    pubs.push(
      await connectAsync(hub.mqtt, { username: 'bench', password: 'bench-password', reconnectPeriod: 0 }),
    );
  const names = kind === 'single' ? ['power'] : Array.from({ length: 10 }, (_, i) => `ch${i}`);
  const node = (p: number) => `${kind}${p}`;
  const message = (p: number, i: number): [string, string] =>
    kind === 'single'
      ? [`emon/${node(p)}/power`, String(i)]
      : [`emon/${node(p)}`, JSON.stringify(Object.fromEntries(names.map((n, c) => [n, i + c])))];
  // Create the inputs and wire each to a feed before measuring.
  const start = await ingestedValues(hub);
  await blast(pubs, 1, message);
  await waitForValues(hub, start + PUBLISHERS * names.length);
  const feeds: number[] = [];
  for (let p = 0; p < PUBLISHERS; p++) feeds.push(...(await wireInputs(hub, node(p), names)));

  const count = kind === 'single' ? SINGLE_MESSAGES : JSON_MESSAGES;
  const values = count * PUBLISHERS * names.length;

  // Baseline: the broker alone delivering the same messages to one plain subscriber.
  const sub = await connectAsync(hub.mqtt, {
    username: 'bench',
    password: 'bench-password',
    reconnectPeriod: 0,
  });
  await sub.subscribeAsync('emon/#');
  let received = 0;
  const allDelivered = new Promise<void>((resolve) =>
    sub.on('message', (topic) => {
      if (topic.startsWith(`emon/${kind}`) && ++received === count * PUBLISHERS) resolve();
    }),
  );
  const before = await ingestedValues(hub);
  const cpu0 = cpuSeconds(hub.child.pid!);
  const t0 = performance.now();
  await blast(pubs, count, message);
  await allDelivered;
  const deliveredS = (performance.now() - t0) / 1000;
  await waitForValues(hub, before + values);
  // Readable through the emoncms feed API: the last value of each feed is the last one sent.
  const last = (await api(hub, `/feed/fetch.json?ids=${feeds.join(',')}`)) as (number | null)[];
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(hub.child.pid!) - cpu0;
  const expected = kind === 'single' ? count - 1 : count - 1; // channel c of the last message is count-1+c
  const ok = last.every((v, i) => v === expected + (kind === 'single' ? 0 : i % 10));
  console.log(
    JSON.stringify({
      bench: `ingest_mqtt_${kind}`,
      messages: count * PUBLISHERS,
      values,
      values_per_s: Math.round(values / elapsedS),
      messages_per_s: Math.round((count * PUBLISHERS) / elapsedS),
      baseline_broker_only_messages_per_s: Math.round((count * PUBLISHERS) / deliveredS),
      ratio_to_baseline: Number((deliveredS / elapsedS).toFixed(2)),
      cpu_s_per_1000_values: Number(((cpu / values) * 1000).toFixed(4)),
      readable_check: ok,
    }),
  );
  await sub.endAsync();
  await Promise.all(pubs.map((p) => p.endAsync()));
}

async function bulk(hub: Hub): Promise<void> {
  const names = Array.from({ length: 10 }, (_, i) => String(i + 1));
  const nowS = Math.floor(Date.now() / 1000);
  const body = (r: number) => {
    const rows = Array.from({ length: 1000 }, (_, i) => [
      nowS - 100_000 + r * 1000 + i,
      'bulk',
      ...names.map((_n, c) => i + c),
    ]);
    return `data=${encodeURIComponent(JSON.stringify(rows))}`;
  };
  await api(hub, `/input/bulk.json?time=${nowS}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `data=${encodeURIComponent(JSON.stringify([[0, 'bulk', ...names.map(() => 0)]]))}`,
  });
  const feeds = await wireInputs(hub, 'bulk', names);
  const bodies = Array.from({ length: BULK_REQUESTS }, (_, r) => body(r));
  const values = BULK_REQUESTS * 1000 * names.length;
  const cpu0 = cpuSeconds(hub.child.pid!);
  const t0 = performance.now();
  for (const b of bodies)
    await api(hub, `/input/bulk.json?time=0`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: b,
    });
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(hub.child.pid!) - cpu0;
  const last = (await api(hub, `/feed/fetch.json?ids=${feeds.join(',')}`)) as number[];
  console.log(
    JSON.stringify({
      bench: 'ingest_http_bulk',
      requests: BULK_REQUESTS,
      values,
      values_per_s: Math.round(values / elapsedS),
      cpu_s_per_1000_values: Number(((cpu / values) * 1000).toFixed(4)),
      readable_check: last.every((v, i) => v === 999 + i),
    }),
  );
}

async function latency(hub: Hub): Promise<void> {
  const pub = await connectAsync(hub.mqtt, {
    username: 'bench',
    password: 'bench-password',
    reconnectPeriod: 0,
  });
  const INPUTS = 50;
  for (let i = 0; i < INPUTS; i++) await pub.publishAsync(`emon/latency/ch${i}`, '0');
  await new Promise((r) => setTimeout(r, 300));
  const inputs = ((await api(hub, '/api/v1/inputs')) as { id: number; node: string }[]).filter(
    (i) => i.node === 'latency',
  );
  const ws = new WebSocket(`${hub.http.replace('http', 'ws')}/ws?apikey=${hub.apiKey}`);
  await new Promise((r) => ws.once('open', r));
  const sentAt = new Map<number, number>();
  const latenciesMs: number[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as { type: string; inputs?: { value: number }[] };
    if (m.type !== 'values') return;
    const now = performance.now();
    for (const v of m.inputs ?? []) {
      const t = sentAt.get(v.value);
      if (t !== undefined) latenciesMs.push(now - t);
    }
  });
  ws.send(JSON.stringify({ op: 'subscribe', inputs: inputs.map((i) => i.id) }));
  await new Promise((r) => setTimeout(r, 300));
  const total = STEADY_RATE_PER_S * STEADY_SECONDS;
  const t0 = performance.now();
  for (let seq = 1; seq <= total; seq++) {
    const due = t0 + (seq * 1000) / STEADY_RATE_PER_S;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(seq, performance.now());
    pub.publish(`emon/latency/ch${seq % INPUTS}`, String(seq));
  }
  await new Promise((r) => setTimeout(r, 500));
  latenciesMs.sort((a, b) => a - b);
  const pct = (q: number) => Number(latenciesMs[Math.floor(q * (latenciesMs.length - 1))]!.toFixed(2));
  console.log(
    JSON.stringify({
      bench: 'ingest_mqtt_to_ws_latency',
      rate_per_s: STEADY_RATE_PER_S,
      sent: total,
      delivered: latenciesMs.length,
      p50_ms: pct(0.5),
      p99_ms: pct(0.99),
      max_ms: pct(1),
    }),
  );
  ws.close();
  await pub.endAsync();
}

const hub = await startHub();
try {
  await throughput(hub, 'single');
  await throughput(hub, 'json10');
  await bulk(hub);
  await latency(hub);
} finally {
  hub.child.kill('SIGTERM');
}
