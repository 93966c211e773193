// The demo's devices: a metered Tasmota plug ("Washing machine", on a smart schedule: ready by
// 07:00 on weekdays, 2 h in one go), an OpenEVSE charger ("EV charger", a car plugged in, 100 km
// by 07:30 every day, charged by energy with its own limit), and
// a meter gateway publishing the day-ahead profiles the schedule is planned on; each added through
// POST /api/v1/devices with its own MQTT login and run as a simulator in the demo process. A device's secret is shown only at creation, so the
// logins are kept in the demo's data dir; a device whose login was lost is added afresh.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GatewaySim } from '../sim/gateway-sim.js';
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
  { key: 'gateway', name: 'Meter gateway', kind: 'gateway', topicName: 'meter' },
] as const;

const SCHEDULES = {
  washing_machine: {
    mode: 'smart',
    smart: { readyBy: '07:00', runMinutes: 120, interruptible: false, repeat: [1, 2, 3, 4, 5] },
  },
  'openevse-7b2c': {
    mode: 'smart',
    smart: {
      readyBy: '07:30',
      runMinutes: 60,
      interruptible: true,
      minOnMinutes: 30,
      minGapMinutes: 30,
      repeat: [0, 1, 2, 3, 4, 5, 6],
      rangeKm: 100,
    },
  },
};

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
  const gateway = new GatewaySim({ name: 'meter' });
  await gateway.start({ url: mqttUrl, ...logins.gateway! });
  await washer.start({ url: mqttUrl, ...logins.washer! });
  await charger.start({ url: mqttUrl, ...logins.charger! });
  await charger.plugIn();
  for (const [topicName, schedule] of Object.entries(SCHEDULES))
    await scheduleDevice(url, auth, topicName, schedule);
  return async () => {
    await washer.stop();
    await charger.stop();
    await gateway.stop();
  };
}

/** A demo device's schedule, unless the householder has set one. */
async function scheduleDevice(url: string, auth: Auth, topicName: string, schedule: object): Promise<void> {
  const headers = { 'content-type': 'application/json', cookie: auth.cookie, 'x-csrf-token': auth.csrf };
  const list = (await (await fetch(`${url}/api/v1/devices`, { headers })).json()) as {
    id: number;
    topicName: string;
  }[];
  const device = list.find((d) => d.topicName === topicName);
  if (!device) return;
  const current = (await (
    await fetch(`${url}/api/v1/devices/${device.id}/schedule`, { headers })
  ).json()) as {
    schedule: unknown;
  };
  if (current.schedule !== null) return;
  const body = JSON.stringify(schedule);
  const res = await fetch(`${url}/api/v1/devices/${device.id}/schedule`, { method: 'PUT', headers, body });
  if (res.status !== 200) throw new Error(`scheduling ${topicName}: ${res.status} ${await res.text()}`);
}
