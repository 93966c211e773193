// npm run demo — a living dashboard in one command: starts hubd on ./data-demo (unless --url names
// a running hub), signs in (creating the "demo" administrator the first time), applies the emonPi
// solar template to node "emonpi", back-fills three weeks of 10 s readings through input/bulk, then
// publishes a household's power and solar over MQTT every 10 s, as an emonPi does. The template's
// process lists derive grid import and export from them; a fresh hub gets a tariff with export.
// It also adds a metered plug ("Washing machine", Tasmota) and an EV charger (OpenEVSE) with their
// own logins and runs their simulators (scripts/demo/devices.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectAsync } from 'mqtt';
import { startDemoDevices } from './demo/devices.js';
import { householdPowerW, solarPowerW } from './demo/household.js';
import { waitUntilReady } from './hubd-process.js';

const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    mqtt: { type: 'string' },
    username: { type: 'string', default: 'demo' },
    password: { type: 'string' },
    days: { type: 'string', default: '21' },
    'interval-s': { type: 'string', default: '10' },
  },
});
const DATA_DIR = join(process.cwd(), 'data-demo');
const intervalS = Number(opts['interval-s']);

async function startHub(): Promise<{ child: ChildProcess; url: string; mqtt: string }> {
  mkdirSync(DATA_DIR, { recursive: true });
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { ...process.env, HUB_DATA_DIR: DATA_DIR, HUB_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.once('exit', (code) => {
    console.log(`hubd exited (${code ?? 'signal'})`);
    process.exit(code ?? 0);
  });
  const httpPort = process.env.HUB_HTTP_PORT ?? '8080';
  const mqttPort = process.env.HUB_MQTT_PORT ?? '1883';
  return { child, url: `http://127.0.0.1:${httpPort}`, mqtt: `mqtt://127.0.0.1:${mqttPort}` };
}

/** Signs in; on a fresh demo hub creates the administrator and remembers its password. */
async function signIn(url: string): Promise<{ cookie: string; csrf: string; password: string }> {
  const saved = join(DATA_DIR, 'demo-login.json');
  let password =
    opts.password ??
    (existsSync(saved)
      ? (JSON.parse(readFileSync(saved, 'utf8')) as { password: string }).password
      : undefined);
  const onboarding = (await (await fetch(`${url}/api/v1/onboarding`)).json()) as { needed: boolean };
  let res: Response;
  if (onboarding.needed) {
    password ??= randomBytes(9).toString('base64url');
    res = await post(url, '/api/v1/onboarding', { username: opts.username, password });
    writeFileSync(saved, JSON.stringify({ username: opts.username, password }), { mode: 0o600 });
  } else {
    if (!password) throw new Error('give --password for this hub');
    res = await post(url, '/api/v1/session', { username: opts.username, password });
  }
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const session = (await res.json()) as { csrfToken: string };
  return { cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, csrf: session.csrfToken, password };
}

function post(url: string, path: string, body: unknown, auth?: { cookie: string; csrf: string }) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(auth ? { cookie: auth.cookie, 'x-csrf-token': auth.csrf } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function backfill(url: string, apiKey: string, fromS: number, toS: number): Promise<void> {
  const rowsPerPost = 1000;
  let posted = 0;
  const total = Math.floor((toS - fromS) / intervalS);
  for (let t = fromS; t < toS; t += rowsPerPost * intervalS) {
    const rows = [];
    for (let k = 0; k < rowsPerPost && t + k * intervalS < toS; k++) {
      const ts = t + k * intervalS;
      rows.push([ts, 'emonpi', { power1: householdPowerW(ts), power2: solarPowerW(ts) }]);
    }
    const body = `data=${encodeURIComponent(JSON.stringify(rows))}`;
    for (;;) {
      const res = await fetch(`${url}/input/bulk.json?time=0`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      const text = await res.text();
      if (text === 'ok') break;
      // A full write-behind buffer refuses the whole post (503): wait for the next flush, send it again.
      if (res.status !== 503) throw new Error(`back-fill refused: ${text}`);
      process.stdout.write(`\rback-fill waits for the hub to write its buffer to disk…`);
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
    posted += rows.length;
    process.stdout.write(
      `\rback-filled ${posted} of ${total} readings (${Math.round((posted / total) * 100)} %)`,
    );
  }
  process.stdout.write('\n');
}

const hub = opts.url
  ? { child: undefined, url: opts.url, mqtt: opts.mqtt ?? 'mqtt://127.0.0.1:1883' }
  : await startHub();
await waitUntilReady(hub.url, 60_000);
const auth = await signIn(hub.url);
const keys = (await (
  await fetch(`${hub.url}/api/v1/me/apikeys`, { headers: { cookie: auth.cookie } })
).json()) as {
  writeApiKey: string;
};
const inputs = (await (
  await fetch(`${hub.url}/api/v1/inputs`, { headers: { cookie: auth.cookie } })
).json()) as unknown[];
const fresh = inputs.length === 0;
const applied = await post(hub.url, '/api/v1/templates/emonpi-solar-pv-1/apply', { node: 'emonpi' }, auth);
if (!applied.ok) throw new Error(`template: ${await applied.text()}`);
// A believable UK time-of-use tariff with a flat export price, so the demo's costs mean something.
if (fresh) {
  const tariff = await fetch(`${hub.url}/api/v1/tariff`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie: auth.cookie, 'x-csrf-token': auth.csrf },
    body: JSON.stringify({
      currency: 'GBP',
      standingChargeMinorPerDay: 53.35,
      vatPercent: 5,
      bands: [
        { name: 'Night', start: '00:30', end: '07:30', priceMinorPerKWh: 9.5 },
        { name: 'Day', start: '07:30', end: '00:30', priceMinorPerKWh: 27.5 },
      ],
      exportBands: [{ name: 'Export', start: '00:00', end: '00:00', priceMinorPerKWh: 15 }],
    }),
  });
  if (!tariff.ok) throw new Error(`tariff: ${await tariff.text()}`);
}
const nowS = Math.floor(Date.now() / 1000 / intervalS) * intervalS;
if (fresh) await backfill(hub.url, keys.writeApiKey, nowS - Number(opts.days) * 86_400, nowS);

const mqtt = await connectAsync(hub.mqtt, { username: opts.username, password: auth.password });
// A plug and a charger to switch; the demo goes on without them if they cannot be added.
const stopDevices = await startDemoDevices(hub.url, hub.mqtt, auth, DATA_DIR).catch((err: unknown) => {
  console.warn(`demo devices not started: ${(err as Error).message}`);
  return () => Promise.resolve();
});
console.log(
  `demo running: open ${hub.url}/ and sign in as ${opts.username} / ${auth.password} (Ctrl-C stops)`,
);
const tick = async () => {
  const ts = Math.floor(Date.now() / 1000);
  await mqtt.publishAsync('emon/emonpi/power1', String(householdPowerW(ts)));
  await mqtt.publishAsync('emon/emonpi/power2', String(solarPowerW(ts)));
};
await tick();
const timer = setInterval(() => void tick(), intervalS * 1000);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    clearInterval(timer);
    void Promise.all([mqtt.endAsync(), stopDevices()]).then(() =>
      hub.child ? hub.child.kill('SIGTERM') : process.exit(0),
    );
  });
