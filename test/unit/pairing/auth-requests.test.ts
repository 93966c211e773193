import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthRequests,
  hintOf,
  normaliseIpv4,
  type AuthRequestLimits,
  type RequestOutcome,
} from '../../../src/pairing/auth-requests.js';

const LIMITS: AuthRequestLimits = {
  requestTtlMs: 900_000,
  allowanceTtlMs: 60_000,
  maxPendingRequests: 3,
  requestsPerAddressPerMinute: 5,
};
const T0 = 1_700_000_000_000;
const ANSWER = 'dev-emonesp-plug-23:s3cret:emon/plug-23';

describe('addresses', () => {
  const table: [string | undefined, string | undefined][] = [
    ['192.168.1.23', '192.168.1.23'],
    ['::ffff:192.168.1.23', '192.168.1.23'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['010.000.001.023', '10.0.1.23'],
    ['192.168.1.256', undefined],
    ['fe80::1', undefined],
    ['::1', undefined],
    ['2001:db8::ffff:1.2.3.4', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    [' 1.2.3.4', undefined],
    ['', undefined],
    [undefined, undefined],
  ];
  for (const [input, expected] of table) {
    it(`${JSON.stringify(input)} → ${expected ?? 'refused'}`, () =>
      assert.equal(normaliseIpv4(input), expected));
  }
  it('keeps a hint to one line of 120 characters', () => {
    assert.equal(hintOf('  EmonESP\r\nX-Evil: 1 '), 'EmonESP X-Evil: 1');
    assert.equal(hintOf('a'.repeat(500))?.length, 120);
    assert.equal(hintOf(undefined), null);
    assert.equal(hintOf('   '), null);
  });
});

/** A scenario: steps at times (ms after T0), then what each request answered. */
type Step = { at: number; request: string } | { at: number; allow: string } | { at: number; deny: string };

function run(
  steps: Step[],
  limits = LIMITS,
): { outcomes: RequestOutcome[]; machine: AuthRequests; endMs: number } {
  const machine = new AuthRequests(limits);
  const outcomes: RequestOutcome[] = [];
  let endMs = T0;
  for (const step of steps) {
    endMs = T0 + step.at;
    if ('request' in step) outcomes.push(machine.request(step.request, 'EmonESP', endMs));
    else if ('allow' in step) assert.equal(machine.allow(step.allow, ANSWER, 7, endMs).ok, true, 'allow');
    else machine.deny(step.deny, endMs);
  }
  return { outcomes, machine, endMs };
}

const kinds = (outcomes: RequestOutcome[]) =>
  outcomes.map((o) => (o.kind === 'answered' ? `answered ${o.answer}` : o.kind));

describe('who gets the credentials', () => {
  const table: { name: string; steps: Step[]; expect: string[] }[] = [
    {
      name: 'the allowed address, on its next request, once',
      steps: [
        { at: 0, request: '192.168.1.23' },
        { at: 5_000, allow: '192.168.1.23' },
        { at: 10_000, request: '192.168.1.23' },
        { at: 20_000, request: '192.168.1.23' },
      ],
      expect: ['registered', `answered ${ANSWER}`, 'registered'],
    },
    {
      name: 'the same address written as IPv4-mapped IPv6',
      steps: [
        { at: 0, request: '::ffff:192.168.1.23' },
        { at: 1_000, allow: '192.168.1.23' },
        { at: 2_000, request: '::ffff:192.168.1.23' },
      ],
      expect: ['registered', `answered ${ANSWER}`],
    },
    {
      name: 'not another address, even while the allowance runs',
      steps: [
        { at: 0, request: '192.168.1.23' },
        { at: 0, request: '192.168.1.24' },
        { at: 1_000, allow: '192.168.1.23' },
        { at: 2_000, request: '192.168.1.24' },
        { at: 3_000, request: '192.168.1.230' },
      ],
      expect: ['registered', 'registered', 'registered', 'registered'],
    },
    {
      name: 'not after the allowance expired (60 s)',
      steps: [
        { at: 0, request: '192.168.1.23' },
        { at: 1_000, allow: '192.168.1.23' },
        { at: 61_001, request: '192.168.1.23' },
      ],
      expect: ['registered', 'registered'],
    },
    {
      name: 'at the last millisecond of the allowance',
      steps: [
        { at: 0, request: '192.168.1.23' },
        { at: 1_000, allow: '192.168.1.23' },
        { at: 61_000, request: '192.168.1.23' },
      ],
      expect: ['registered', `answered ${ANSWER}`],
    },
    {
      name: 'not after a deny',
      steps: [
        { at: 0, request: '192.168.1.23' },
        { at: 1_000, allow: '192.168.1.23' },
        { at: 2_000, deny: '192.168.1.23' },
        { at: 3_000, request: '192.168.1.23' },
      ],
      // A denied address is ignored for the request time (EmonESP would ask again every 10 s).
      expect: ['registered', 'ignored'],
    },
    {
      name: 'not an address over its rate limit; the refused request spends nothing',
      steps: [
        ...[0, 1, 2, 3, 4].map((i) => ({ at: i * 1000, request: '192.168.1.23' })),
        { at: 4_500, allow: '192.168.1.23' },
        { at: 5_000, request: '192.168.1.23' },
        { at: 60_001, request: '192.168.1.23' },
      ],
      // Five in the minute: the sixth is refused and the allowance kept for the next one in time.
      expect: [...Array(5).fill('registered'), 'rate_limited', `answered ${ANSWER}`],
    },
    {
      name: 'a flood from one address: only the first five in a minute count',
      steps: Array.from({ length: 8 }, (_, i) => ({ at: i * 100, request: '192.168.1.23' })),
      expect: [...Array(5).fill('registered'), ...Array(3).fill('rate_limited')],
    },
    {
      name: 'the limit is per minute: a minute later the address may ask again',
      steps: [
        ...Array.from({ length: 6 }, (_, i) => ({ at: i * 100, request: '192.168.1.23' })),
        { at: 60_001, request: '192.168.1.23' },
      ],
      expect: [...Array(5).fill('registered'), 'rate_limited', 'registered'],
    },
    {
      name: 'not from an IPv6 address',
      steps: [{ at: 0, request: 'fe80::1' }],
      expect: ['refused'],
    },
  ];
  for (const { name, steps, expect } of table) {
    it(name, () => assert.deepEqual(kinds(run(steps).outcomes), expect));
  }
});

describe('pending requests', () => {
  it('keeps every address with first and last seen, count and hint', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', 'EmonESP/1', T0);
    machine.request('192.168.1.24', null, T0 + 1_000);
    machine.request('192.168.1.23', 'EmonESP/2', T0 + 2_000);
    assert.deepEqual(machine.view(T0 + 3_000), [
      {
        ip: '192.168.1.23',
        firstSeenMs: T0,
        lastSeenMs: T0 + 2_000,
        count: 2,
        hint: 'EmonESP/2',
        allowedUntilMs: null,
        deviceId: null,
      },
      {
        ip: '192.168.1.24',
        firstSeenMs: T0 + 1_000,
        lastSeenMs: T0 + 1_000,
        count: 1,
        hint: null,
        allowedUntilMs: null,
        deviceId: null,
      },
    ]);
  });

  it('shows an allowance, never its answer', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', null, T0);
    machine.allow('192.168.1.23', ANSWER, 7, T0 + 1_000);
    const [view] = machine.view(T0 + 2_000);
    assert.equal(view?.allowedUntilMs, T0 + 61_000);
    assert.equal(view?.deviceId, 7);
    assert.doesNotMatch(JSON.stringify(machine.view(T0 + 2_000)), /s3cret/);
  });

  it('forgets a request not renewed within its time', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', null, T0);
    assert.equal(machine.view(T0 + 900_000).length, 1);
    assert.deepEqual(machine.prune(T0 + 900_001), [{ ip: '192.168.1.23', lapsedDeviceId: null }]);
    assert.deepEqual(machine.view(T0 + 900_001), []);
  });

  it('reports a lapsed allowance with its device, and its next expiry for a timer', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', null, T0);
    assert.equal(machine.nextExpiryMs(), T0 + 900_001);
    machine.allow('192.168.1.23', ANSWER, 7, T0 + 1_000);
    assert.equal(machine.nextExpiryMs(), T0 + 61_001);
    assert.deepEqual(machine.prune(T0 + 61_001), [{ ip: '192.168.1.23', lapsedDeviceId: 7 }]);
    assert.equal(machine.nextExpiryMs(), null);
  });

  it('hands a lapse that another call noticed first to the next prune, once', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', null, T0);
    machine.allow('192.168.1.23', ANSWER, 7, T0);
    assert.deepEqual(machine.view(T0 + 60_001), []);
    assert.deepEqual(machine.prune(T0 + 60_002), [{ ip: '192.168.1.23', lapsedDeviceId: 7 }]);
    assert.deepEqual(machine.prune(T0 + 60_003), []);
  });

  it('drops the oldest when full, never one with an allowance; all allowed → full', () => {
    const machine = new AuthRequests(LIMITS);
    for (const [i, ip] of ['10.0.0.1', '10.0.0.2', '10.0.0.3'].entries()) machine.request(ip, null, T0 + i);
    machine.allow('10.0.0.1', ANSWER, 1, T0 + 10);
    assert.deepEqual(machine.request('10.0.0.4', null, T0 + 20), {
      kind: 'registered',
      ip: '10.0.0.4',
      dropped: '10.0.0.2',
    });
    machine.allow('10.0.0.3', ANSWER, 3, T0 + 30);
    machine.allow('10.0.0.4', ANSWER, 4, T0 + 30);
    assert.deepEqual(machine.request('10.0.0.5', null, T0 + 40), { kind: 'full' });
    assert.deepEqual(
      machine.view(T0 + 40).map((r) => r.ip),
      ['10.0.0.1', '10.0.0.3', '10.0.0.4'],
    );
  });

  it('a flood from many addresses keeps at most the limit and yields no credentials', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', null, T0);
    machine.allow('192.168.1.23', ANSWER, 7, T0);
    const outcomes = Array.from({ length: 200 }, (_, i) =>
      machine.request(`10.1.${i >> 8}.${i & 255}`, null, T0 + 1 + i),
    );
    assert.ok(outcomes.every((o) => o.kind === 'registered'));
    assert.equal(machine.view(T0 + 500).length, LIMITS.maxPendingRequests);
    // The allowance survived the flood, for its own address only.
    assert.equal(machine.request('192.168.1.23', null, T0 + 600).kind, 'answered');
  });

  it('refuses to allow an address that is not pending or already allowed', () => {
    const machine = new AuthRequests(LIMITS);
    assert.deepEqual(machine.allow('192.168.1.23', ANSWER, 7, T0), { ok: false, code: 'not_pending' });
    machine.request('192.168.1.23', null, T0);
    assert.deepEqual(machine.allow('192.168.1.23', ANSWER, 7, T0), { ok: true });
    assert.deepEqual(machine.allow('192.168.1.23', ANSWER, 8, T0), { ok: false, code: 'already_allowed' });
    assert.equal(machine.deny('192.168.1.23', T0), true);
    assert.equal(machine.deny('192.168.1.23', T0), false);
  });

  it('keeps an address over its rate limit even when its request is pushed out by others', () => {
    const machine = new AuthRequests(LIMITS);
    const kinds: string[] = [];
    // Four addresses taking turns in a table of three: each turn pushes the oldest out.
    for (let round = 0; round < 8; round++)
      for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'])
        kinds.push(machine.request(ip, null, T0 + round).kind);
    assert.equal(kinds.filter((k) => k === 'registered').length, 4 * LIMITS.requestsPerAddressPerMinute);
    assert.equal(
      kinds.filter((k) => k === 'rate_limited').length,
      4 * (8 - LIMITS.requestsPerAddressPerMinute),
    );
  });

  it('ignores a denied address for the request time: neither stored nor shown, then asks anew', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', null, T0);
    assert.equal(machine.deny('192.168.1.23', T0), true);
    assert.equal(machine.request('192.168.1.23', null, T0 + 70_000).kind, 'ignored');
    assert.deepEqual(machine.view(T0 + 70_000), []);
    const later = T0 + LIMITS.requestTtlMs + 1;
    assert.equal(machine.request('192.168.1.23', null, later).kind, 'registered');
    assert.equal(machine.view(later).length, 1);
  });

  it('drops the allowance of a device that was deleted: the address gets no answer', () => {
    const machine = new AuthRequests(LIMITS);
    machine.request('192.168.1.23', null, T0);
    machine.allow('192.168.1.23', ANSWER, 7, T0);
    assert.equal(machine.forgetDevice(8), undefined);
    assert.equal(machine.forgetDevice(7), '192.168.1.23');
    const next = machine.request('192.168.1.23', null, T0 + 1000);
    assert.equal(next.kind, 'registered');
  });
});
