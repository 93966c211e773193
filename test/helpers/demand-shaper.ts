import assert from 'node:assert/strict';
import type { DevicePlanJson } from '../../src/api/contract.js';
import { sampleProfiles, type GatewayProfile } from '../../scripts/sim/gateway-sim.js';
import type { ManualClock } from '../../src/shared/clock.js';
import type { HttpClient } from './http-client.js';
import type { TestHub } from './hub.js';

// What the whole-hub demand-shaper tests share: a day-ahead profile with cheap hours, devices
// added through the API, a device's plan, and the manual clock moved on while the hub works.

/** 48 half hours from midnight UTC of the day sent: 30p, and 5p the next night from `fromHour` to `toHour`. */
export const cheapAt = (fromHour: number, toHour: number) => (dayStartS: number) => {
  const values = Array.from({ length: 96 }, (_, i) => {
    const hour = i / 2 - 24;
    return hour >= fromHour && hour < toHour ? 5 : 30;
  });
  const price: GatewayProfile = { start: dayStartS, interval: 1800, unit: 'p/kWh', values };
  return { ...sampleProfiles(dayStartS), price };
};

/** A device added by the admin, with its MQTT login. */
export async function addDevice(admin: HttpClient, kind: string, topicName: string) {
  const res = await admin.request('POST', '/api/v1/devices', { json: { name: topicName, kind, topicName } });
  assert.equal(res.status, 201, res.text);
  const body = res.body as { device: { id: number }; mqttUsername: string; secret: string };
  return { id: body.device.id, username: body.mqttUsername, password: body.secret };
}

export const planOf = async (admin: HttpClient, id: number) =>
  (await admin.request('GET', `/api/v1/devices/${id}/plan`)).body as DevicePlanJson;

/** "2026-11-25T01:00": minutes, UTC. */
export const isoMinute = (s: number) => new Date(s * 1000).toISOString().slice(0, 16);

/** Moves the manual clock on in 5-minute steps, letting the MQTT and HTTP work of each step run. */
export async function advanceTo(clock: ManualClock, hub: TestHub, when: string): Promise<void> {
  while (clock.nowMs() < Date.parse(when)) {
    await clock.tickAsync(Math.min(5 * 60_000, Date.parse(when) - clock.nowMs()));
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 200 && hub.plans.busy(); i++) await new Promise((r) => setTimeout(r, 5));
  }
}
