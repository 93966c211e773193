// The demo's devices: a metered Tasmota plug ("Washing machine") and an OpenEVSE charger ("EV
// charger") with a car plugged in, each added through POST /api/v1/devices with its own MQTT login
// and run as a simulator in the demo process. A device's secret is shown only at creation, so the
// logins are kept in the demo's data dir; a device whose login was lost is added afresh.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpenevseSim } from '../sim/openevse-sim.js';
import { TasmotaSim } from '../sim/tasmota-sim.js';

interface Auth {
  cookie: string;
  csrf: string;
}

interface Login {
  username: string;
  password: string;
}

const DEVICES = [
  { key: 'washer', name: 'Washing machine', kind: 'tasmota', topicName: 'washing_machine' },
  { key: 'charger', name: 'EV charger', kind: 'openevse', topicName: 'openevse-7b2c' },
] as const;

async function addDevice(url: string, auth: Auth, d: (typeof DEVICES)[number]): Promise<Login> {
  const headers = { 'content-type': 'application/json', cookie: auth.cookie, 'x-csrf-token': auth.csrf };
  const body = JSON.stringify({ name: d.name, kind: d.kind, topicName: d.topicName });
  let res = await fetch(`${url}/api/v1/devices`, { method: 'POST', headers, body });
  if (res.status === 409) {
    // Added by an earlier demo whose login file is gone: delete it and add it again.
    const list = (await (await fetch(`${url}/api/v1/devices`, { headers })).json()) as {
      id: number;
      topicName: string;
    }[];
    const old = list.find((x) => x.topicName === d.topicName);
    if (old) await fetch(`${url}/api/v1/devices/${old.id}`, { method: 'DELETE', headers });
    res = await fetch(`${url}/api/v1/devices`, { method: 'POST', headers, body });
  }
  if (res.status !== 201) throw new Error(`adding "${d.name}": ${res.status} ${await res.text()}`);
  const created = (await res.json()) as { mqttUsername: string; secret: string };
  return { username: created.mqttUsername, password: created.secret };
}

/** Adds the demo's devices (once) and starts their simulators; returns what stops them. */
export async function startDemoDevices(
  url: string,
  mqttUrl: string,
  auth: Auth,
  dataDir: string,
): Promise<() => Promise<void>> {
  const saved = join(dataDir, 'demo-devices.json');
  const logins = (existsSync(saved) ? JSON.parse(readFileSync(saved, 'utf8')) : {}) as Record<string, Login>;
  const list = (await (
    await fetch(`${url}/api/v1/devices`, { headers: { cookie: auth.cookie } })
  ).json()) as {
    topicName: string;
  }[];
  for (const d of DEVICES) {
    if (!logins[d.key] || !list.some((x) => x.topicName === d.topicName))
      logins[d.key] = await addDevice(url, auth, d);
  }
  writeFileSync(saved, JSON.stringify(logins), { mode: 0o600 });

  const washer = new TasmotaSim({ topic: 'washing_machine', metering: true, telePeriodS: 10, loadW: 2100 });
  const charger = new OpenevseSim({ base: 'openevse-7b2c', id: 'c44f330d7b2c' });
  await washer.start({ url: mqttUrl, ...logins.washer! });
  await charger.start({ url: mqttUrl, ...logins.charger! });
  await charger.plugIn();
  return async () => {
    await washer.stop();
    await charger.stop();
  };
}
