import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filterCovers, isValidTopicFilter, isValidTopicName, topicMatches } from '../../src/broker/topics.js';
import { topicsFor } from '../../src/devices/device-topics.js';
import {
  UNKNOWN_STATE,
  type DesiredState,
  type DeviceDriver,
  type DeviceState,
  type DriverDevice,
  type OutgoingMessage,
  type ReportedPart,
  relayPart,
} from '../../src/devices/driver.js';
import { UserError } from '../../src/shared/errors.js';

/** A message a firmware publishes. */
export interface FirmwareMessage {
  topic: string;
  payload: string;
}

/**
 * A stand-in for the device's firmware, written from its documentation and source (not from the
 * driver): it takes one of our messages and says what the real device would publish back.
 */
export interface Firmware {
  receive(message: OutgoingMessage): FirmwareMessage[];
}

export interface DriverFixture<Config> {
  driver: DeviceDriver<Config>;
  /** The device as stored once it has said what it is (learned config). */
  device: DriverDevice<Config>;
  /** A fresh firmware for a device like `device` (its topic name), in its power-on state. */
  firmware(device: DriverDevice<Config>): Firmware;
  /** What a person may ask of it; each is carried out and confirmed. */
  desired: DesiredState[];
  /** Topics whose payload carries state: garbage sent there must not move it. */
  stateTopics: string[];
  /**
   * What the firmware publishes that tells nothing a command sets (readings, acknowledgements):
   * none may report the relays or the charger, or it would confirm a stale value.
   */
  unrelated: FirmwareMessage[];
}

/** The parts a report must carry for control to take it as showing `desired`. */
const controlled = (desired: DesiredState): ReportedPart[] => [
  ...(desired.on === undefined ? [] : [relayPart(desired.relay ?? 0)]),
  ...(desired.currentLimitA === undefined && desired.energyLimitKWh === undefined ? [] : (['ev'] as const)),
];

const NOW_MS = 1_790_000_000_000;

const GARBAGE: (string | Buffer)[] = [
  '',
  ' ',
  'garbage',
  '{',
  '[]',
  'null',
  '{}',
  '{"state":{"nested":[1,2]}}',
  '{"POWER":7,"output":"yes","StatusSTS":null,"ENERGY":[]}',
  '{"params":null,"result":[],"switch:0":1}',
  'NaN',
  'Infinity',
  '1e999',
  '0x10',
  Buffer.from([0xff, 0xfe, 0x00, 0x80]),
  'x'.repeat(20_000),
  `{"a":"${'y'.repeat(20_000)}"}`,
];

/** Deep-frozen, so that a driver writing into its input throws in strict mode. */
function frozen(state: DeviceState): DeviceState {
  const ev = state.ev ? Object.freeze({ ...state.ev }) : null;
  return Object.freeze({ ...state, relays: Object.freeze([...state.relays]) as (boolean | null)[], ev });
}

/** Everything liveness aside: what garbage must leave as it was. */
const substance = (state: DeviceState) => ({ ...state, online: null, lastSeenMs: null });

/**
 * Carries `messages` to the firmware and its answers back through reduce, as the runner does:
 * only answers on a topic the driver subscribes to reach it, and a learned config is kept.
 */
export function roundTrip<Config>(
  driver: DeviceDriver<Config>,
  device: DriverDevice<Config>,
  firmware: Firmware,
  messages: OutgoingMessage[],
  start: DeviceState,
): { state: DeviceState; device: DriverDevice<Config>; delivered: number; reported: Set<ReportedPart> } {
  let state = start;
  let current = device;
  let delivered = 0;
  const reported = new Set<ReportedPart>();
  const filters = driver.subscriptions(device);
  for (const message of messages) {
    for (const reply of firmware.receive(message)) {
      if (!filters.some((f) => topicMatches(f, reply.topic))) continue;
      delivered++;
      const out = driver.reduce(current, state, reply.topic, Buffer.from(reply.payload), NOW_MS);
      if (!out) continue;
      for (const part of out.reported) reported.add(part);
      state = out.state;
      if (out.config !== undefined) current = { ...current, config: out.config };
    }
  }
  return { state, device: current, delivered, reported };
}

/** What the device-state runner and the API rely on from every driver (src/devices/driver.ts). */
export function deviceDriverContract<Config>(name: string, fixture: DriverFixture<Config>): void {
  const { driver, device } = fixture;
  const grants = topicsFor(driver.kind, device.topicName);

  describe(`DeviceDriver contract: ${name}`, () => {
    it("listens only within the device's own publish grants", () => {
      const filters = driver.subscriptions(device);
      assert.ok(filters.length > 0);
      for (const filter of filters) {
        assert.ok(isValidTopicFilter(filter), filter);
        assert.ok(
          grants.publish.some((grant) => filterCovers(grant, filter)),
          `${filter} is outside ${grants.publish.join(', ')}`,
        );
      }
    });

    it('sends commands and queries only to topics the device may subscribe to, with QoS 1, not retained', () => {
      const messages = [
        ...fixture.desired.flatMap((d) => driver.commands(device, d)),
        ...driver.queries(device),
      ];
      assert.ok(messages.length > 0);
      for (const m of messages) {
        assert.ok(isValidTopicName(m.topic), m.topic);
        assert.ok(
          grants.subscribe.some((grant) => topicMatches(grant, m.topic)),
          `${m.topic} is not a command topic`,
        );
        assert.equal(m.qos, 1, m.topic);
        assert.notEqual(m.retain, true, `${m.topic} retained: a stale command would switch the device later`);
      }
    });

    for (const desired of fixture.desired) {
      it(`carries out ${JSON.stringify(desired)}: the firmware's own report confirms it`, () => {
        const firmware = fixture.firmware(device);
        assert.equal(
          driver.confirms(device, UNKNOWN_STATE, desired),
          false,
          'confirmed before anything was sent',
        );
        const commands = driver.commands(device, desired);
        const {
          state,
          device: after,
          delivered,
        } = roundTrip(driver, device, firmware, commands, UNKNOWN_STATE);
        assert.ok(delivered > 0, 'the firmware answered nothing the driver listens to');
        assert.equal(driver.confirms(after, state, desired), true, JSON.stringify(state));
        assert.equal(state.online, true);
        assert.equal(state.lastSeenMs, NOW_MS);
      });
    }

    for (const desired of fixture.desired) {
      it(`reports the part ${JSON.stringify(desired)} controls in the firmware's answer`, () => {
        const { reported } = roundTrip(
          driver,
          device,
          fixture.firmware(device),
          driver.commands(device, desired),
          UNKNOWN_STATE,
        );
        for (const part of controlled(desired)) assert.ok(reported.has(part), `${part} not reported`);
      });
    }

    it('reports neither the relays nor the charger for a reading or an acknowledgement', () => {
      assert.ok(fixture.unrelated.length > 0);
      const { state: known } = roundTrip(
        driver,
        device,
        fixture.firmware(device),
        driver.commands(device, fixture.desired[0]!),
        UNKNOWN_STATE,
      );
      for (const m of fixture.unrelated) {
        const out = driver.reduce(device, frozen(known), m.topic, Buffer.from(m.payload), NOW_MS + 1);
        assert.ok(out, `${m.topic} is the device's own message`);
        assert.ok(
          !out.reported.some((p) => p.startsWith('relay:')),
          `${m.topic} ${m.payload} reported the relays`,
        );
        assert.ok(!out.reported.includes('ev'), `${m.topic} ${m.payload} reported the charger`);
      }
    });

    it('learns the firmware state from its answers to the queries', () => {
      const queries = driver.queries(device);
      if (queries.length === 0) return; // it reports by itself (retained topics) — checked per driver
      const { state, delivered } = roundTrip(
        driver,
        device,
        fixture.firmware(device),
        queries,
        UNKNOWN_STATE,
      );
      assert.ok(delivered > 0);
      assert.equal(state.online, true);
      assert.notDeepEqual(substance(state), substance(UNKNOWN_STATE));
    });

    it('leaves the state as it was for garbage on its topics, and never throws', () => {
      const firmware = fixture.firmware(device);
      const known = fixture.desired[0]!;
      const { state } = roundTrip(driver, device, firmware, driver.commands(device, known), UNKNOWN_STATE);
      const before = frozen(state);
      for (const topic of fixture.stateTopics) {
        for (const garbage of GARBAGE) {
          const payload = typeof garbage === 'string' ? Buffer.from(garbage) : garbage;
          const out = driver.reduce(device, before, topic, payload, NOW_MS + 1);
          if (out === undefined) continue;
          assert.deepEqual(
            substance(out.state),
            substance(before),
            `${topic} ${String(garbage).slice(0, 40)}`,
          );
        }
      }
    });

    it("ignores another device's messages, including its own command topics", () => {
      const other = { ...device, topicName: `${device.topicName}x` };
      const firmware = fixture.firmware(other);
      const replies = fixture.desired.flatMap((d) =>
        driver.commands(other, d).flatMap((m) => firmware.receive(m)),
      );
      assert.ok(replies.length > 0);
      const commands = fixture.desired.flatMap((d) => driver.commands(device, d));
      for (const m of [...replies, ...commands]) {
        assert.equal(
          driver.reduce(device, UNKNOWN_STATE, m.topic, Buffer.from(m.payload), NOW_MS),
          undefined,
          m.topic,
        );
      }
    });

    it('reduces purely: the same input gives the same output and the input state is not changed', () => {
      const firmware = fixture.firmware(device);
      const replies = fixture.desired.flatMap((d) =>
        driver.commands(device, d).flatMap((m) => firmware.receive(m)),
      );
      assert.ok(replies.length > 0);
      let state = frozen(UNKNOWN_STATE);
      for (const reply of replies) {
        const a = driver.reduce(device, state, reply.topic, Buffer.from(reply.payload), NOW_MS);
        const b = driver.reduce(device, state, reply.topic, Buffer.from(reply.payload), NOW_MS);
        assert.deepEqual(a, b);
        if (a) state = frozen(a.state);
      }
      assert.deepEqual(
        driver.commands(device, fixture.desired[0]!),
        driver.commands(device, fixture.desired[0]!),
      );
    });

    it('offers exactly what its commands accept', () => {
      const capabilities = driver.capabilities(device);
      const refuses = (desired: DesiredState) => {
        try {
          driver.commands(device, desired);
          return false;
        } catch (err) {
          assert.ok(err instanceof UserError, `${JSON.stringify(desired)}: ${String(err)}`);
          assert.ok(err.status >= 400 && err.status < 500);
          return true;
        }
      };
      assert.equal(
        capabilities.includes('switch'),
        !refuses({ on: true }) && driver.commands(device, { on: true }).length > 0,
      );
      const charger = capabilities.includes('evCharging');
      assert.equal(refuses({ currentLimitA: 16 }), !charger);
      assert.equal(refuses({ energyLimitKWh: 5 }), !charger);
      assert.equal(refuses({ energyLimitKWh: null }), !charger);
      assert.equal(refuses({ on: true, relay: 99 }), true);
      assert.equal(refuses({ on: true, relay: -1 }), true);
      assert.deepEqual(driver.commands(device, {}), []);
      assert.equal(driver.confirms(device, UNKNOWN_STATE, {}), true);
    });

    it('has a config schema whose defaults and learned values it accepts', () => {
      const defaults = driver.configSchema.parse({});
      assert.deepEqual(driver.configSchema.parse(defaults), defaults);
      assert.deepEqual(driver.configSchema.parse(device.config), device.config);
      const { device: learned } = roundTrip(
        driver,
        { ...device, config: defaults },
        fixture.firmware(device),
        [...fixture.desired.flatMap((d) => driver.commands(device, d)), ...driver.queries(device)],
        UNKNOWN_STATE,
      );
      assert.deepEqual(driver.configSchema.parse(learned.config), learned.config);
    });
  });
}
