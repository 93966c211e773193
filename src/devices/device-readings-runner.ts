import type { User } from '../auth/ports.js';
import type { IngestPort } from '../ingest/ports.js';
import type { Reading } from '../ingest/readings.js';
import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { DeviceKind } from './device-topics.js';
import type { DeviceCapability, DeviceState } from './driver.js';
import type { DeviceRow } from './ports.js';

/** Unchanged readings are posted again at most this often, so feeds keep getting points. */
export const REPOST_INTERVAL_MS = 10_000;

/**
 * The kinds whose readings only this runner brings to ingest, with the template that gives their
 * node its feeds. Absent: EmonESP (`emon/<node>/…` through MQTT ingest, `describe` picks its
 * template) and OpenEVSE (its announce makes ingest read `<base>/<key>` as inputs of node `<base>`
 * and apply template `openevse`, session energy included): posting them here would double them.
 */
const TEMPLATE_BY_KIND: Partial<Record<DeviceKind, string>> = { tasmota: 'tasmota', shelly: 'shelly' };

export interface DeviceReadingsDeps {
  bus: EventBus;
  devices: { get(id: number): DeviceRow | undefined };
  /** The device runner: a device with no capabilities is not driven. */
  states: { state(id: number): DeviceState; capabilities(id: number): DeviceCapability[] };
  ingest: Pick<IngestPort, 'post'>;
  templates: { applyTemplate(templateId: string, node: string, ownerId: number): unknown };
  /** Whether the node already has an input of that name (then its template is not applied again). */
  inputs: { find(node: string, name: string): unknown };
  /** The first administrator owns the feeds, as with auto-configure. */
  users: { listUsers(): User[] };
  clock: Clock;
  log: Logger;
}

interface Posted {
  key: string;
  atMs: number;
}

/** A driven device's readings as inputs of its node: `power` W, `energy` kWh, `session_energy` kWh (chargers). */
export function readingsOf(state: DeviceState): Reading[] {
  const values: Reading[] = [
    { name: 'power', value: state.powerW },
    { name: 'energy', value: state.energyKWh },
    { name: 'session_energy', value: state.ev?.sessionEnergyKWh ?? null },
  ];
  return values.filter((r) => r.value !== null && Number.isFinite(r.value));
}

/**
 * Makes a driven device's power and energy history (issue 13, item 5): on each state change it
 * posts the readings as inputs of node `<topicName>` when they changed, or unchanged at most every
 * REPOST_INTERVAL_MS; the first time, it applies the kind's template so that feeds log them.
 * Ingest keeps the values in Redis: nothing here writes SQLite per reading.
 */
export class DeviceReadingsRunner implements Component {
  readonly name = 'device-readings';
  readonly counters = { posts: 0, postFailures: 0, refused: 0, templatesApplied: 0, templateFailures: 0 };
  private readonly posted = new Map<number, Posted>();
  /** Devices whose node has its template (or needs none) in this run. */
  private readonly configured = new Set<number>();
  private offBus: (() => void)[] = [];
  private inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: DeviceReadingsDeps) {}

  async start(): Promise<void> {
    const { bus } = this.deps;
    if (this.offBus.length) return;
    this.offBus = [
      bus.on('device.added', ({ deviceId }) => this.configure(deviceId, true)),
      bus.on('device.state.changed', ({ deviceId }) => this.changed(deviceId)),
      bus.on('device.removed', ({ deviceId }) => {
        this.posted.delete(deviceId);
        this.configured.delete(deviceId);
      }),
    ];
  }

  async stop(): Promise<void> {
    for (const off of this.offBus) off();
    this.offBus = [];
    await Promise.all(this.inFlight);
  }

  status(): ComponentStatus {
    return { state: this.offBus.length ? 'ready' : 'stopped', detail: { ...this.counters } };
  }

  private changed(deviceId: number): void {
    const row = this.deps.devices.get(deviceId);
    if (!row || !TEMPLATE_BY_KIND[row.kind]) return;
    if (this.deps.states.capabilities(deviceId).length === 0) return;
    const values = readingsOf(this.deps.states.state(deviceId));
    if (values.length === 0) return;
    const nowMs = this.deps.clock.nowMs();
    const key = JSON.stringify(values);
    const last = this.posted.get(deviceId);
    if (last && last.key === key && nowMs - last.atMs < REPOST_INTERVAL_MS) return;
    this.posted.set(deviceId, { key, atMs: nowMs });
    this.configure(deviceId, false);
    const batch = [{ node: row.topicName, timeS: Math.floor(nowMs / 1000), values }];
    const post = this.deps.ingest
      .post(batch, 'local')
      .then((outcome) => {
        this.counters.posts++;
        if (outcome.refused || outcome.bufferFull) {
          this.counters.refused++;
          this.deps.log.warn(
            { deviceId, node: row.topicName, refusal: outcome.refusal, bufferFull: outcome.bufferFull },
            'device readings refused by ingest',
          );
        }
      })
      .catch((err: unknown) => {
        this.counters.postFailures++;
        this.deps.log.warn({ deviceId, err: describeError(err) }, 'device readings not posted');
      })
      .finally(() => this.inFlight.delete(post));
    this.inFlight.add(post);
  }

  /**
   * Gives the device's node its template. On `device.added` always; on a first reading only when the
   * node has no `power` input yet, so that a restart does not overwrite process lists a person edited.
   */
  private configure(deviceId: number, added: boolean): void {
    if (this.configured.has(deviceId)) return;
    const row = this.deps.devices.get(deviceId);
    if (!row) return;
    const templateId = TEMPLATE_BY_KIND[row.kind];
    if (!templateId) return;
    if (!added && this.deps.inputs.find(row.topicName, 'power') !== undefined) {
      this.configured.add(deviceId);
      return;
    }
    const owner = this.deps.users.listUsers().find((u) => u.role === 'admin');
    if (!owner) return; // tried again at the next reading
    try {
      this.deps.templates.applyTemplate(templateId, row.topicName, owner.id);
      this.configured.add(deviceId);
      this.counters.templatesApplied++;
      this.deps.log.info({ deviceId, node: row.topicName, template: templateId }, 'device template applied');
    } catch (err) {
      this.configured.add(deviceId); // once: a template that failed would fail at every reading
      this.counters.templateFailures++;
      this.deps.log.warn(
        { deviceId, node: row.topicName, err: describeError(err) },
        'device template could not be applied',
      );
    }
  }
}
