import type { Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { MqttPort, Unsubscribe } from '../broker/ports.js';
import { OPENEVSE_ANNOUNCE_FILTER, parseOpenEvseAnnounce, parseOpenEvseStatus } from './device-announce.js';
import { parseEmonMessage } from './mqtt-payload.js';
import type { IngestPort } from './ports.js';
import type { NodeReadings } from './readings.js';

export interface MqttSourceSettings {
  /** emoncms's basetopic: readings arrive under `<baseTopic>/#`. */
  baseTopic: string;
  /** How many OpenEVSE base topics outside `<baseTopic>/` are read at most (default 32). */
  maxOwnTopics?: number;
}

/** Subscribes a broker topic filter to an in-process handler, until the returned function is called. */
export type SubscribeFn = MqttPort['subscribe'];

const LOG_EVERY_MS = 60_000;
const MAX_OWN_TOPICS = 32;

/**
 * Readings published under `emon/#` (emonhub, EmonESP, OpenEVSE) into the input registry, and the
 * devices that say what they are: `emon/<node>/describe` (EmonESP) and OpenEVSE's announce.
 */
export class MqttSourceRunner implements Component {
  readonly name = 'mqtt-ingest';
  readonly counters = {
    messages: 0,
    refused: 0,
    refusedBufferFull: 0,
    described: 0,
    announcements: 0,
    /** OpenEVSE base topics read outside `<baseTopic>/`, and announces refused for the cap. */
    ownTopics: 0,
    ownTopicsOverCap: 0,
    /** Non-numeric OpenEVSE status values (JSON `config`, text `status`): not readings. */
    ignored: 0,
  };
  private readonly lastLoggedMs = new Map<string, number>();
  /** OpenEVSE base topics read (kept across a restart: announces are retained, not repeated). */
  private readonly ownTopics = new Set<string>();
  private readonly unsubscribes: Unsubscribe[] = [];
  private running = false;

  constructor(
    private readonly subscribe: SubscribeFn,
    private readonly ingest: IngestPort,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly settings: MqttSourceSettings,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.listen(`${this.settings.baseTopic}/#`, (t, p) => this.onMessage(t, p));
    this.listen(OPENEVSE_ANNOUNCE_FILTER, (t, p) => this.onAnnounce(t, p));
    for (const ownTopic of this.ownTopics) this.listenOwnTopic(ownTopic);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  status(): ComponentStatus {
    return { state: this.running ? 'ready' : 'stopped', detail: { ...this.counters } };
  }

  private onMessage(topic: string, payload: Buffer): void {
    const nowS = Math.floor(this.clock.nowMs() / 1000);
    const result = parseEmonMessage(topic, payload, { baseTopic: this.settings.baseTopic, nowS });
    if (!result) return;
    this.counters.messages++;
    if (!result.ok) return this.refuse(topic, result.error);
    const { describe, ...readings } = result.value;
    if (describe !== undefined) {
      this.counters.described++;
      this.bus.emit('ingest.device.described', { node: readings.node, type: describe });
    }
    if (readings.values.length === 0) return;
    this.post(topic, readings);
  }

  private post(topic: string, readings: NodeReadings): void {
    this.ingest.post([readings], 'mqtt').then(
      (outcome) => {
        // MQTT 3.1.1 has no negative acknowledgement: the message is counted, and ingest logs
        // refusals for a full buffer once a minute for every source together.
        if (outcome.bufferFull) {
          this.counters.refused++;
          this.counters.refusedBufferFull++;
        } else if (outcome.refused) this.refuse(topic, outcome.refusal ?? 'refused');
      },
      (err: unknown) => this.refuse(topic, describeError(err)),
    );
  }

  /**
   * OpenEVSE says it is one on connect: its readings' node gets the `openevse` template. An announce
   * is never a reading. Readings under a base topic of its own (the firmware default, its host name)
   * are read from there as node `<base>`; any other base topic is only logged.
   */
  private onAnnounce(topic: string, payload: Buffer): void {
    this.counters.announcements++;
    const { baseTopic } = this.settings;
    const result = parseOpenEvseAnnounce(payload, baseTopic);
    if (!result.ok) return this.refuse(topic, result.error);
    const { state, name, mqttTopic, node, ownTopic } = result.value;
    if (state !== 'connected') return;
    if (ownTopic !== undefined) return this.readOwnTopic(topic, ownTopic);
    if (node === undefined) {
      const why = `OpenEVSE ${name} publishes under ${mqttTopic ?? '(no topic)'}, not ${baseTopic}/<node>: its readings are not stored`;
      return this.note(topic, why, 'OpenEVSE readings are outside the ingest base topic');
    }
    this.counters.described++;
    this.bus.emit('ingest.device.described', { node, type: 'openevse' });
  }

  private readOwnTopic(announceTopic: string, ownTopic: string): void {
    if (!this.ownTopics.has(ownTopic)) {
      if (this.ownTopics.size >= (this.settings.maxOwnTopics ?? MAX_OWN_TOPICS)) {
        this.counters.ownTopicsOverCap++;
        const why = `already reading ${this.ownTopics.size} OpenEVSE base topics: ${ownTopic} is not read`;
        return this.note(announceTopic, why, 'OpenEVSE readings are not stored');
      }
      this.ownTopics.add(ownTopic);
      this.counters.ownTopics++;
      this.listenOwnTopic(ownTopic);
    }
    this.counters.described++;
    this.bus.emit('ingest.device.described', { node: ownTopic, type: 'openevse' });
  }

  private listen(filter: string, handler: (topic: string, payload: Buffer) => void): void {
    this.unsubscribes.push(this.subscribe(filter, handler));
  }

  private listenOwnTopic(ownTopic: string): void {
    this.listen(`${ownTopic}/+`, (t, p) => this.onOwnTopicMessage(ownTopic, t, p));
  }

  private onOwnTopicMessage(ownTopic: string, topic: string, payload: Buffer): void {
    const nowS = Math.floor(this.clock.nowMs() / 1000);
    this.counters.messages++;
    const result = parseOpenEvseStatus(ownTopic, topic, payload, nowS);
    if (!result) {
      this.counters.ignored++;
      return;
    }
    if (!result.ok) return this.refuse(topic, result.error);
    this.post(topic, result.value);
  }

  /** Counted always; logged at most once a minute per topic, so one bad device cannot flood the log. */
  private refuse(topic: string, why: string): void {
    this.counters.refused++;
    this.note(topic, why);
  }

  private note(topic: string, why: string, message = 'mqtt reading refused'): void {
    const nowMs = this.clock.nowMs();
    if (nowMs - (this.lastLoggedMs.get(topic) ?? -Infinity) < LOG_EVERY_MS) return;
    if (this.lastLoggedMs.size > 1000) this.lastLoggedMs.clear();
    this.lastLoggedMs.set(topic, nowMs);
    this.log.warn({ topic, why }, message);
  }
}
