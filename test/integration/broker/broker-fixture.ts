import { join } from 'node:path';
import { MqttBroker, type BrokerSettings } from '../../../src/broker/mqtt-broker.net.js';
import type { BrokerPrincipal } from '../../../src/broker/principal.js';
import { PairingLine } from '../../../src/broker/pairing-line.js';
import { systemClock, type Clock } from '../../../src/shared/clock.js';
import { EventBus } from '../../../src/shared/event-bus.js';
import type { Logger } from '../../../src/shared/logger.js';
import { makeTempDir } from '../../helpers/temp-dir.js';

export const quietLog: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLog };

export const brokerSettings: BrokerSettings = {
  host: '127.0.0.1',
  port: 0,
  tls: { enabled: false, host: '127.0.0.1', port: 0 },
  websocket: { enabled: false },
  limits: {
    maxPacketBytes: 65_536,
    maxConnections: 16,
    connectTimeoutS: 10,
    keepaliveMaxS: 3600,
    publishRatePerS: 50,
    publishBurst: 500,
    offlineQueueMax: 100,
    maxPreAuthConnections: 16,
    maxPreAuthPerAddress: 16,
  },
  sysIntervalS: 10,
  acl: [],
};

/**
 * The hub's MqttBroker alone (no hub around it) on a free port, stopped at teardown: `ann` / `pw`
 * is an administrator. Not started: call start().
 */
export function makeBroker(
  teardown: { add: (c: () => unknown) => void },
  opts: { clock?: Clock; persistenceDir?: string } = {},
): MqttBroker {
  const ann: BrokerPrincipal = { kind: 'user', username: 'ann', role: 'admin' };
  const broker = new MqttBroker(brokerSettings, {
    authenticate: async (username, password) =>
      username === 'ann' && password?.toString() === 'pw' ? ann : undefined,
    resolveOwner: (owner) => (owner.startsWith('user:ann') ? ann : undefined),
    persistenceDir: opts.persistenceDir ?? join(makeTempDir(teardown), 'mqtt'),
    pairing: new PairingLine(),
    tls: () => {
      throw new Error('no TLS here');
    },
    onUpgrade: () => undefined,
    bus: new EventBus(quietLog),
    clock: opts.clock ?? systemClock,
    log: quietLog,
    version: 'test',
  });
  teardown.add(() => broker.stop());
  return broker;
}
