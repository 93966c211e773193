import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { InputJson } from '../../src/api/contract.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startHubWithAdmin } from '../helpers/hub.js';
import { mqttClient } from '../helpers/mqtt.js';
import { useTeardown } from '../helpers/teardown.js';

const teardown = useTeardown();

/** Another program (Mosquitto on an emonPi being migrated) holding a port on every address. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, () => resolve()));
  teardown.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, server };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  for (let waitedMs = 0; waitedMs < timeoutMs; waitedMs += 50) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('degraded start', () => {
  it('serves HTTP with the MQTT port taken, names the broker down with the reason, and starts it once the port frees', async () => {
    const held = await holdPort();
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12));
    const { hub, admin } = await startHubWithAdmin(teardown, {
      clock,
      env: { HUB_MQTT_PORT: String(held.port) },
    });

    const anonymous = await hub.client().request('GET', '/readyz');
    assert.equal(anonymous.status, 503);
    assert.equal(
      (anonymous.body as { components: Record<string, { state: string }> }).components.mqtt?.state,
      'down',
    );
    const report = (await admin.request('GET', '/readyz')).body as {
      ready: boolean;
      components: Record<string, { state: string; detail?: Record<string, unknown> }>;
    };
    assert.equal(report.ready, false);
    assert.deepEqual(report.components.mqtt, {
      state: 'down',
      detail: {
        reason: `port ${held.port} is in use by another program`,
        retrying: true,
        attempts: 1,
        nextRetryAtMs: clock.nowMs() + 1000,
      },
    });
    assert.equal(report.components.http?.state, 'ready', 'the rest serve');
    assert.equal((await admin.request('GET', '/api/v1/feeds')).status, 200);

    await new Promise<void>((resolve) => held.server.close(() => resolve()));
    clock.tick(1000);
    await waitFor(
      async () =>
        ((await admin.request('GET', '/readyz')).body as typeof report).components.mqtt?.state === 'ready',
      'the broker to come up',
    );
    const client = await mqttClient(teardown, `mqtt://127.0.0.1:${held.port}`, {
      username: 'ann',
      password: 'ann-password',
    });
    assert.equal(client.connected, true);
    assert.equal(hub.broker?.ports().tcp, held.port);

    // Ingest works through the broker that came up late: a reading becomes an input.
    await client.publishAsync('emon/garage/power', '230.5', { qos: 1 });
    const inputs = async () => (await admin.request('GET', '/api/v1/inputs')).body as InputJson[];
    await waitFor(async () => (await inputs()).some((i) => i.node === 'garage'), 'the input to appear');
    const power = (await inputs()).find((i) => i.node === 'garage');
    assert.deepEqual(
      { node: power?.node, name: power?.name, value: power?.value, timeS: power?.timeS },
      { node: 'garage', name: 'power', value: 230.5, timeS: Math.floor(clock.nowMs() / 1000) },
    );
  });
});
