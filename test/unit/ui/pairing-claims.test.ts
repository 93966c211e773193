import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PairingClaimView, PairingStateView } from '../../../src/api/contract.js';
import {
  claimActions,
  claimName,
  claimSettingsShown,
  claimWhat,
} from '../../../ui/src/pairing-claim-model.js';
import { claimKey, claimsShown, dismissedAfter } from '../../../ui/src/pairing-claims.js';
import { DEVICE_MESSAGES } from '../../../ui/src/pages/devices-messages.js';

const claim = (clientId: string, over: Partial<PairingClaimView> = {}): PairingClaimView => ({
  clientId,
  ip: '192.168.1.23',
  kind: 'tasmota',
  topicName: 'tasmota_1A2B3C',
  model: 'Sonoff Basic',
  label: 'Tasmota',
  firstSeenMs: 1000,
  lastSeenMs: 1000,
  status: 'waiting',
  deviceId: null,
  untilMs: null,
  problem: null,
  ...over,
});

const state = (claims: PairingClaimView[]): PairingStateView => ({
  windowOpenUntilMs: 600_000,
  requests: [],
  claims,
});

describe('the claims the pairing prompt shows', () => {
  it('shows every claim oldest first, and none before the hub answered', () => {
    const shown = claimsShown(
      state([
        claim('DVES_3', { firstSeenMs: 3000 }),
        claim('DVES_1', { firstSeenMs: 1000 }),
        claim('DVES_2', { firstSeenMs: 1000 }),
      ]),
      new Set(),
    );
    assert.deepEqual(
      shown.map((c) => c.clientId),
      ['DVES_1', 'DVES_2', 'DVES_3'],
    );
    assert.deepEqual(claimsShown(undefined, new Set()), []);
  });

  it('leaves out a claim put away on this page, but shows the same device connecting again later', () => {
    const first = claim('DVES_1A2B3C', { status: 'paired', deviceId: 4 });
    const put = new Set([claimKey(first)]);
    assert.deepEqual(claimsShown(state([first]), put), []);
    const again = claim('DVES_1A2B3C', { firstSeenMs: 90_000 });
    assert.deepEqual(
      claimsShown(state([again]), put).map((c) => c.firstSeenMs),
      [90_000],
    );
  });
});

describe('the claims put away, as the browser remembers them', () => {
  it('adds the one put away and forgets those the hub no longer lists', () => {
    const gone = claim('DVES_GONE');
    const kept = claim('DVES_KEPT', { status: 'paired', deviceId: 2 });
    const now = claim('DVES_NOW', { status: 'manual', deviceId: 3 });
    const before = new Set([claimKey(gone), claimKey(kept)]);
    assert.deepEqual([...dismissedAfter(before, state([kept, now]), now)].sort(), [
      'DVES_KEPT@1000',
      'DVES_NOW@1000',
    ]);
    assert.deepEqual(
      [...before].sort(),
      ['DVES_GONE@1000', 'DVES_KEPT@1000'],
      'the given set is left as it was',
    );
  });
});

describe('how a claim is named', () => {
  it('by the topic it announced, with its model', () => {
    assert.equal(claimName(claim('DVES_1A2B3C')), 'tasmota_1A2B3C');
    assert.equal(claimWhat(claim('DVES_1A2B3C')), '"tasmota_1A2B3C" (Sonoff Basic)');
  });

  it('by the name it gave itself, else its client id, and without a model it did not say', () => {
    const shelly = claim('shellyplusplugs-a8032ab1c2d3', {
      kind: 'shelly',
      topicName: null,
      label: 'Kitchen kettle',
      model: null,
    });
    assert.equal(claimWhat(shelly), '"Kitchen kettle"');
    const bare = claim('openevse-7b2c', { kind: null, topicName: null, label: null, model: null });
    assert.equal(claimWhat(bare), '"openevse-7b2c"');
  });

  it('reads as the sentence the prompt says, in English and Welsh', () => {
    const c = claim('DVES_1A2B3C');
    const vars: Record<string, string> = { what: claimWhat(c), ip: c.ip };
    const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_m, k: string) => vars[k] ?? `{${k}}`);
    assert.equal(
      fill(DEVICE_MESSAGES.en['claim.asks.tasmota']),
      'A Tasmota plug "tasmota_1A2B3C" (Sonoff Basic) at 192.168.1.23 asks to join',
    );
    assert.equal(
      fill(DEVICE_MESSAGES.cy['claim.asks.tasmota']),
      'Mae plwg Tasmota "tasmota_1A2B3C" (Sonoff Basic) yn 192.168.1.23 yn gofyn am ymuno',
    );
  });
});

describe('what an admin may do with a claim', () => {
  it('allows or denies one that said what it is; only denies one that has not', () => {
    assert.deepEqual(claimActions(claim('a')), { allow: true, deny: true });
    assert.deepEqual(claimActions(claim('b', { status: 'connected', kind: null })), {
      allow: false,
      deny: true,
    });
    assert.deepEqual(claimActions(claim('c', { kind: null })), { allow: false, deny: true });
  });

  it('only denies one the hub cannot pair (its problem says why)', () => {
    const old = claim('DVES_OLD', { problem: 'Tasmota before 9.1 sends no discovery' });
    assert.deepEqual(claimActions(old), { allow: false, deny: true });
  });

  it('has nothing to answer once it is allowed', () => {
    for (const status of ['handing-over', 'paired', 'manual'] as const)
      assert.deepEqual(
        claimActions(claim('a', { status, deviceId: 4 })),
        { allow: false, deny: false },
        status,
      );
  });
});

describe('the settings of a manual claim', () => {
  const settings = {
    clientId: 'DVES_1A2B3C',
    deviceId: 4,
    host: 'hub.local',
    username: 'dev-tasmota-tasmota_1A2B3C',
    password: 's3cret',
    topic: 'tasmota_1A2B3C',
    caUrl: '/api/v1/mqtt/ca.crt',
  };

  it('lists the login, then the host, both ports and the topic', () => {
    assert.deepEqual(claimSettingsShown({ ...settings, port: 1883, tlsPort: 8883 }), [
      { key: 'username', value: 'dev-tasmota-tasmota_1A2B3C' },
      { key: 'password', value: 's3cret' },
      { key: 'host', value: 'hub.local' },
      { key: 'port', value: '1883' },
      { key: 'tlsPort', value: '8883' },
      { key: 'topic', value: 'tasmota_1A2B3C' },
    ]);
  });

  it('leaves out a listener that is off', () => {
    const keys = claimSettingsShown({ ...settings, port: 1883, tlsPort: null }).map((s) => s.key);
    assert.deepEqual(keys, ['username', 'password', 'host', 'port', 'topic']);
  });
});
