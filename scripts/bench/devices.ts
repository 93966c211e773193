// npm run bench:devices — 50 simulated Tasmota plugs on one hubd, all switched at once: the time
// from `PUT /api/v1/devices/:id/state?wait=1 {on}` to its answer (the hub answers once the plug's
// own report confirms it), and as the baseline the same 50 through bare MQTT (an administrator
// publishes `cmnd/<t>/POWER`, waits for `stat/<t>/POWER`), in one run. Target: API p99 ≤ 200 ms.
// Prints one JSON line per path.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { freePort, waitUntilReady } from '../hubd-process.js';
import { TasmotaSim } from '../sim/tasmota-sim.js';

const PLUGS = Number(process.env.BENCH_PLUGS ?? 50);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);

const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-devices-'));
const [httpPort, mqttPort] = [await freePort(), await freePort()];
const env = {
  ...process.env,
  HUB_DATA_DIR: dataDir,
  HUB_MDNS: '0',
  HUB_HTTP_PORT: String(httpPort),
  HUB_MQTT_PORT: String(mqttPort),
  HUB_REDIS_URL: 'embedded',
  HUB_LOG_LEVEL: 'warn',
};
writeFileSync(
  join(dataDir, 'hub.json'),
  JSON.stringify({
    mqtt: { tls: { enabled: false } },
    ingest: { vzloggerPush: { enabled: false } },
    pairing: { mdns: false },
  }),
);
const add = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'src/cli/main.ts', 'user', 'add', 'bench', '--admin'],
  {
    env,
    input: 'bench-password\n',
  },
);
if (add.status !== 0) throw new Error(`hub user add: ${String(add.stderr)}`);

const hubd = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env, stdio: 'ignore' });
const base = `http://127.0.0.1:${httpPort}`;
const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
const sims: TasmotaSim[] = [];

function percentiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { n: s.length, p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(s[s.length - 1]!) };
}
const round = (ms: number) => Math.round(ms * 10) / 10;

try {
  await waitUntilReady(base, 60_000);
  const login = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench-password' }),
  });
  if (!login.ok) throw new Error(`sign-in: ${login.status} ${await login.text()}`);
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headers = {
    'content-type': 'application/json',
    cookie: (login.headers.get('set-cookie') ?? '').split(';')[0]!,
    'x-csrf-token': csrfToken,
  };

  const plugs: { id: number; topic: string }[] = [];
  for (let i = 0; i < PLUGS; i++) {
    const topic = `plug${String(i).padStart(2, '0')}`;
    const res = await fetch(`${base}/api/v1/devices`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: `Plug ${i}`, kind: 'tasmota', topicName: topic }),
    });
    if (res.status !== 201) throw new Error(`add device: ${res.status} ${await res.text()}`);
    const d = (await res.json()) as { device: { id: number }; mqttUsername: string; secret: string };
    const sim = new TasmotaSim({ topic, telePeriodS: 0 });
    sims.push(sim);
    await sim.start({ url: mqttUrl, username: d.mqttUsername, password: d.secret });
    plugs.push({ id: d.device.id, topic });
  }
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the hub's state queries settle

  const api: number[] = [];
  let unconfirmed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const on = round % 2 === 0;
    await Promise.all(
      plugs.map(async ({ id }) => {
        const t0 = performance.now();
        const res = await fetch(`${base}/api/v1/devices/${id}/state?wait=1`, {
          method: 'PUT',
          headers,
          body: JSON.stringify({ on }),
        });
        const body = (await res.json()) as { status?: string };
        if (res.status !== 200 || body.status !== 'confirmed') {
          unconfirmed++;
          if (unconfirmed === 1) console.error(res.status, JSON.stringify(body));
        } else api.push(performance.now() - t0);
      }),
    );
  }

  // Baseline: the same switching with no hub logic between, an administrator's MQTT client.
  const admin = await connectAsync(mqttUrl, {
    username: 'bench',
    password: 'bench-password',
    reconnectPeriod: 0,
  });
  await admin.subscribeAsync('stat/+/POWER', { qos: 1 });
  const mqtt: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const word = round % 2 === 0 ? 'ON' : 'OFF';
    const started = new Map<string, number>();
    const done = new Promise<void>((resolve) => {
      const onMessage = (topic: string, payload: Buffer) => {
        const t = topic.split('/')[1]!;
        const t0 = started.get(t);
        if (t0 === undefined || payload.toString() !== word) return;
        mqtt.push(performance.now() - t0);
        started.delete(t);
        if (started.size === 0) {
          admin.off('message', onMessage);
          resolve();
        }
      };
      admin.on('message', onMessage);
    });
    for (const { topic } of plugs) {
      started.set(topic, performance.now());
      void admin.publishAsync(`cmnd/${topic}/POWER`, word, { qos: 1 });
    }
    await done;
  }
  await admin.endAsync();

  console.log(
    JSON.stringify({
      bench: 'devices',
      path: 'api_put_state_confirmed',
      plugs: PLUGS,
      unconfirmed,
      ...percentiles(api),
    }),
  );
  console.log(
    JSON.stringify({ bench: 'devices', path: 'bare_mqtt_cmnd_to_stat', plugs: PLUGS, ...percentiles(mqtt) }),
  );
} finally {
  await Promise.all(sims.map((s) => s.stop()));
  hubd.kill('SIGTERM');
  await new Promise((resolve) => hubd.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}
