import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Aedes, AuthenticateError, Client } from 'aedes';
import { BrokerHooks } from '../../../src/broker/broker-hooks.js';
import { emptyCounters } from '../../../src/broker/broker-stats.js';
import { LoginsInFlight } from '../../../src/broker/logins-in-flight.js';
import type { ClientIdRegistry } from '../../../src/broker/client-id-registry.js';
import type { BrokerPrincipal } from '../../../src/broker/principal.js';
import { ManualClock } from '../../../src/shared/clock.js';
import type { Logger } from '../../../src/shared/logger.js';

// Which in-flight logins a grants change sends back (CONNACK 3): only those whose grants changed.

const log: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => log,
};

const device = (deviceId: number): BrokerPrincipal => ({
  kind: 'device',
  deviceId,
  username: `dev-${deviceId}`,
  publish: [],
  subscribe: [],
  read: [],
  publishExcept: [],
});

/** Starts a login of `principal` on fake Aedes objects; `finish` lets its credential check return. */
function startLogin(principal: BrokerPrincipal) {
  let finish!: () => void;
  const checked = new Promise<void>((resolve) => (finish = resolve));
  const hooks = new BrokerHooks({
    limits: { maxConnections: 10, keepaliveMaxS: 60, publishRatePerS: 10, publishBurst: 10 },
    acl: [],
    authenticate: async () => {
      await checked;
      return principal;
    },
    resolveOwner: () => undefined,
    registry: { forget: async () => undefined } as unknown as ClientIdRegistry,
    counters: emptyCounters(),
    clock: new ManualClock(0),
    log,
    loggedIn: () => undefined,
    noteRetained: () => undefined,
    pairing: { published: () => undefined },
  });
  const broker = { connectedClients: 0, publish: () => undefined } as unknown as Aedes;
  hooks.install(broker);
  const client = { id: '', conn: new EventEmitter() } as unknown as Client;
  broker.preConnect(client, { cmd: 'connect', clientId: '', clean: true, keepalive: 30 } as never, () => {});
  const result = new Promise<number | 'ok'>((resolve) =>
    broker.authenticate(client, 'u', Buffer.from('p'), (err: AuthenticateError | null) =>
      resolve(err ? err.returnCode : 'ok'),
    ),
  );
  return { hooks, finish, result };
}

describe('broker hooks: grants changed during a login', () => {
  it('refuses (CONNACK 3) only the logins whose own grants changed', async () => {
    const cases: [BrokerPrincipal, (h: BrokerHooks) => void, number | 'ok'][] = [
      [device(7), (h) => h.grantsChanged(8), 'ok'],
      [device(7), (h) => h.grantsChanged('legacy'), 'ok'],
      [device(7), (h) => h.grantsChanged(7), 3],
      [device(7), (h) => h.deviceRemoved(7), 5],
      [device(7), (h) => h.deviceRemoved(8), 'ok'],
      [{ kind: 'legacy', username: 'emonpi', publishExcept: [] }, (h) => h.grantsChanged('legacy'), 3],
      [{ kind: 'legacy', username: 'emonpi', publishExcept: [] }, (h) => h.grantsChanged(8), 'ok'],
      [{ kind: 'user', username: 'ann', role: 'admin' }, (h) => h.grantsChanged('legacy'), 'ok'],
    ];
    for (const [principal, change, expected] of cases) {
      const login = startLogin(principal);
      change(login.hooks);
      login.finish();
      assert.equal(await login.result, expected, `${JSON.stringify(principal)} after ${change.toString()}`);
    }
  });

  it('keeps no change, nor deleted device, once no login is in flight', () => {
    const logins = new LoginsInFlight();
    logins.deviceRemoved(7); // nothing in flight: a later login fails verify() anyway
    const epoch = logins.start();
    assert.equal(logins.wasRemoved(device(7)), false);
    logins.deviceRemoved(8);
    logins.grantsChanged('legacy');
    assert.equal(logins.wasRemoved(device(8)), true);
    assert.equal(logins.changedSince({ kind: 'legacy', username: 'emonpi', publishExcept: [] }, epoch), true);
    logins.end();
    assert.equal(logins.wasRemoved(device(8)), false, 'trimmed when the last login ended');
    assert.equal(
      logins.changedSince({ kind: 'legacy', username: 'emonpi', publishExcept: [] }, epoch),
      false,
    );
  });
});
