import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedError } from '../../../src/auth/auth-service.js';
import { BrokerAuthService, hubAuthenticators } from '../../../src/broker/broker-auth-service.js';
import type { LoginVerdict, MqttAuthenticator } from '../../../src/broker/ports.js';

const ann = { kind: 'user', username: 'ann', role: 'admin' } as const;

describe('broker authentication: authenticators tried in order', () => {
  const fixed = (name: string, verdict: LoginVerdict, asked: string[]): MqttAuthenticator => ({
    name,
    authenticate: () => (asked.push(name), verdict),
  });

  it('the first that claims a login decides; a login none claims is refused', async () => {
    const cases: [LoginVerdict[], typeof ann | undefined, string[]][] = [
      [['pass', ann, 'refuse'], ann, ['a', 'b']],
      [['refuse', ann], undefined, ['a']],
      [['pass', 'pass'], undefined, ['a', 'b']],
      [[], undefined, []],
    ];
    for (const [verdicts, expected, expectedAsked] of cases) {
      const asked: string[] = [];
      const service = new BrokerAuthService(verdicts.map((v, i) => fixed('abc'[i]!, v, asked)));
      assert.deepEqual(await service.authenticate('ann', Buffer.from('pw'), '10.0.0.2', 'c1'), expected);
      assert.deepEqual(asked, expectedAsked, JSON.stringify(verdicts));
    }
  });

  it('resolves a client-id owner by the first authenticator that knows it', () => {
    const service = new BrokerAuthService([
      { name: 'none', authenticate: () => 'pass' },
      { name: 'x', authenticate: () => 'pass', resolveOwner: (o) => (o === 'x:1' ? ann : undefined) },
    ]);
    assert.deepEqual(service.resolveOwner('x:1'), ann);
    assert.equal(service.resolveOwner('x:2'), undefined);
  });
});

describe("the hub's authenticators", () => {
  const apiKey = 'a'.repeat(32);
  const plug = {
    id: 7,
    mqttUsername: 'dev-tasmota-plug',
    publish: ['tele/plug/#'],
    subscribe: ['cmnd/plug/#'],
    read: [],
    publishExcept: [],
  };
  const users = [{ username: 'Ann', role: 'admin' as const }];
  const auth = {
    principalForApiKey: (key: string) =>
      key === apiKey ? { username: 'Ann', role: 'admin', scope: 'read' } : undefined,
    checkCredentials: async (username: unknown, password: unknown) => {
      if (password === 'slow') throw new RateLimitedError(30);
      return username === 'emonpi' || username === 'Ann' ? { username, role: 'admin' } : undefined;
    },
    listUsers: () => users,
  };
  const devices = {
    verify: (username: string, secret: string) =>
      username === plug.mqttUsername && secret === 's3' ? plug : undefined,
    login: (id: number) => (id === 7 ? plug : undefined),
    ownedNodeRoots: () => ['emon/plug'],
  };
  const service = (allowAnonymousLoopback: boolean, legacyEnabled = true) =>
    new BrokerAuthService(
      hubAuthenticators(
        auth as never,
        devices as never,
        {
          allowAnonymousLoopback,
          legacyLogin: { enabled: legacyEnabled, username: 'emonpi', password: 'legacy-pw' },
        },
        { admit: () => 'pass' },
      ),
    );
  const login = (s: BrokerAuthService, username?: string, password?: string, remote = '192.168.1.9') =>
    s.authenticate(username, password === undefined ? undefined : Buffer.from(password), remote, 'c1');

  it('decides each kind of login as before the list', async () => {
    const s = service(true);
    const legacy = { kind: 'legacy', username: 'emonpi', publishExcept: ['emon/plug'] };
    const device = { kind: 'device', deviceId: 7, username: 'dev-tasmota-plug', ...plug, publishExcept: [] };
    delete (device as { id?: number }).id;
    delete (device as { mqttUsername?: string }).mqttUsername;
    assert.deepEqual(await login(s, undefined, undefined, '127.0.0.1'), { kind: 'anonymous-loopback' });
    assert.equal(
      await login(s, undefined, undefined, '192.168.1.9'),
      undefined,
      'anonymous only on loopback',
    );
    assert.equal(await login(s, undefined, 'x', '127.0.0.1'), undefined, 'anonymous with a password');
    assert.equal(await login(service(false), undefined, undefined, '127.0.0.1'), undefined);
    assert.deepEqual(await login(s, 'emonpi', 'legacy-pw'), legacy);
    assert.equal(
      await login(s, 'emonpi', 'user-pw'),
      undefined,
      'the legacy name never falls through to users',
    );
    assert.deepEqual(await login(service(true, false), 'emonpi', 'user-pw'), { ...ann, username: 'emonpi' });
    assert.deepEqual(await login(s, 'dev-tasmota-plug', 's3'), device);
    assert.equal(await login(s, 'dev-tasmota-plug', 'x'), undefined);
    assert.deepEqual(
      await login(s, 'ann', apiKey),
      { ...ann, username: 'Ann', role: 'viewer' },
      'a read key',
    );
    assert.deepEqual(await login(s, 'Ann', 'pw'), { ...ann, username: 'Ann' });
    assert.equal(await login(s, 'bob', 'pw'), undefined);
    await assert.rejects(login(s, 'Ann', 'slow'), (err: { returnCode?: number }) => err.returnCode === 3);
  });

  it('resolves owners of each kind with their grants of now', () => {
    const s = service(false);
    assert.deepEqual(s.resolveOwner('device:7'), {
      kind: 'device',
      deviceId: 7,
      username: 'dev-tasmota-plug',
      publish: plug.publish,
      subscribe: plug.subscribe,
      read: [],
      publishExcept: [],
    });
    assert.equal(s.resolveOwner('device:8'), undefined);
    assert.deepEqual(s.resolveOwner('legacy:emonpi'), {
      kind: 'legacy',
      username: 'emonpi',
      publishExcept: ['emon/plug'],
    });
    assert.equal(service(false, false).resolveOwner('legacy:emonpi'), undefined);
    assert.deepEqual(s.resolveOwner('user:ann:viewer'), { kind: 'user', username: 'Ann', role: 'viewer' });
    assert.deepEqual(s.resolveOwner('user:ann'), { kind: 'user', username: 'Ann', role: 'admin' });
    assert.equal(s.resolveOwner('user:bob'), undefined);
  });
});
