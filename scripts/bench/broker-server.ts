// A broker for bench:broker, in its own process: "hub" (the hub's MqttBroker with its hooks,
// LevelDB persistence) or "aedes" (a bare Aedes with the same persistence). Prints its port.
import { Aedes } from 'aedes';
import AsyncLevelPersistence from 'aedes-persistence-level/asyncPersistence.js';
import { Level } from 'level';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttBroker } from '../../src/broker/mqtt-broker.net.js';
import { PairingLine } from '../../src/broker/pairing-line.js';
import { topicsFor } from '../../src/devices/device-topics.js';
import { systemClock } from '../../src/shared/clock.js';
import { EventBus } from '../../src/shared/event-bus.js';
import type { Logger } from '../../src/shared/logger.js';

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet };
const dir = mkdtempSync(join(tmpdir(), 'hub-bench-broker-'));
const mode = process.argv[2];

if (mode === 'hub') {
  const broker = new MqttBroker(
    {
      host: '127.0.0.1',
      port: 0,
      tls: { enabled: false, host: '127.0.0.1', port: 0 },
      websocket: { enabled: false },
      limits: {
        maxPacketBytes: 262_144,
        maxConnections: 1000,
        connectTimeoutS: 10,
        keepaliveMaxS: 3600,
        publishRatePerS: 1_000_000, // the bench measures the hooks, not the flood limit
        publishBurst: 1_000_000,
        offlineQueueMax: 1000,
        maxPreAuthConnections: 64,
        maxPreAuthPerAddress: 64,
      },
      sysIntervalS: 10,
      acl: [],
    },
    {
      // Publishers are devices confined to their own topics; the subscriber is an admin.
      authenticate: async (username) =>
        username?.startsWith('pub')
          ? { kind: 'device', deviceId: 1, username, ...topicsFor('hub', username), publishExcept: [] }
          : { kind: 'user', username: username ?? 'sub', role: 'admin' },
      resolveOwner: () => undefined,
      persistenceDir: join(dir, 'mqtt'),
      pairing: new PairingLine(),
      tls: () => {
        throw new Error('no TLS in the bench');
      },
      onUpgrade: () => undefined,
      bus: new EventBus(quiet),
      clock: systemClock,
      log: quiet,
      version: 'bench',
    },
  );
  await broker.start();
  console.log(broker.ports().tcp);
} else {
  const persistence = new AsyncLevelPersistence(new Level(join(dir, 'mqtt')));
  const broker = await Aedes.createBroker({ persistence, concurrency: 0, drainTimeout: 20_000 }); // as the hub
  const server = createServer(broker.handle as never).listen(0, '127.0.0.1', () => {
    console.log((server.address() as AddressInfo).port);
  });
}
process.on('SIGTERM', () => process.exit(0));
