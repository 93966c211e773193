import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { compose, type ComposedHub } from '../../src/compose.js';
import { loadConfig } from '../../src/config/config-file.fs.js';
import type { HubConfig } from '../../src/config/schema.js';
import type { Clock } from '../../src/shared/clock.js';
import { createPinoLogger } from '../../src/shared/logger.pino.js';
import { HttpClient } from './http-client.js';
import { startRedis } from './redis-server.js';
import { makeTempDir } from './temp-dir.js';

export interface TestHub extends ComposedHub {
  baseUrl: string;
  dataDir: string;
  mqttPort: number;
  mqttTlsPort: number;
  /** Every log line the hub wrote, as text. */
  logs: string[];
  client(): HttpClient;
}

/** The whole hub via compose() on an ephemeral port with a temp data dir and a given Redis. */
export async function startTestHub(
  teardown: { add: (c: () => unknown) => void },
  opts: {
    redisUrl: string;
    clock?: Clock;
    env?: Record<string, string>;
    /** Written into hub.json before start. */
    authOverrides?: Partial<HubConfig['auth']>;
    /** hub.json content to write before start (a fresh data dir only). */
    config?: Record<string, unknown>;
    /** Reuse a data dir (a restart); by default a fresh temp dir. */
    dataDir?: string;
  },
): Promise<TestHub> {
  const dataDir = opts.dataDir ?? makeTempDir(teardown);
  if (opts.authOverrides || opts.config) {
    const auth = opts.authOverrides ? { auth: opts.authOverrides } : {};
    writeFileSync(join(dataDir, 'hub.json'), JSON.stringify({ ...opts.config, ...auth }));
  }
  const loaded = loadConfig({
    HUB_DATA_DIR: dataDir,
    HUB_HTTP_PORT: '0',
    HUB_MQTT_PORT: '0',
    HUB_MQTT_TLS_PORT: '0',
    HUB_VZLOGGER_PORT: '0',
    HUB_REDIS_URL: opts.redisUrl,
    HUB_LOG_LEVEL: 'debug',
    ...opts.env,
  });
  // Tests never announce on or broadcast to a real network: mDNS off and beacons to loopback,
  // unless a test's hub.json asks otherwise (the mDNS test runs in its own network namespaces).
  const pairing = (opts.config?.pairing ?? {}) as Partial<HubConfig['pairing']>;
  loaded.config.pairing = {
    ...loaded.config.pairing,
    mdns: pairing.mdns ?? false,
    beaconAddress: pairing.beaconAddress ?? '127.0.0.1',
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const composed = compose(loaded, createPinoLogger('debug', sink), opts.clock);
  await composed.hub.start();
  teardown.add(() => composed.hub.stop());
  const ports = composed.broker?.ports() ?? {};
  const baseUrl = `http://127.0.0.1:${composed.http.listeningPort}`;
  return {
    ...composed,
    baseUrl,
    dataDir,
    logs,
    mqttPort: ports.tcp ?? 0,
    mqttTlsPort: ports.tls ?? 0,
    client: () => new HttpClient(baseUrl),
  };
}

/** A fresh hub on its own Redis, with the administrator "ann" (password "ann-password") signed in. */
export async function startHubWithAdmin(
  teardown: { add: (c: () => unknown) => void },
  opts: Omit<Parameters<typeof startTestHub>[1], 'redisUrl'> = {},
): Promise<{ hub: TestHub; admin: HttpClient }> {
  const redis = await startRedis();
  teardown.add(() => redis.stop());
  const hub = await startTestHub(teardown, { ...opts, redisUrl: redis.url });
  const admin = hub.client();
  const res = await admin.request('POST', '/api/v1/onboarding', {
    json: { username: 'ann', password: 'ann-password' },
  });
  if (res.status !== 201) throw new Error(`onboarding failed: ${res.status} ${res.text}`);
  return { hub, admin };
}
