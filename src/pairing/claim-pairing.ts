import type { PairingClaimSettings, PairingClaimView } from '../api/contract.js';
import type { MqttLogin, PairingAdmission, PairingLinePort, PairingSessions } from '../broker/ports.js';
import { topicNameProblem } from '../devices/device-topics.js';
import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { UserError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { normaliseIpv4 } from './auth-requests.js';
import { readClaimFacts } from './claim-facts.js';
import {
  handoverMessages,
  openevseConfigBody,
  openevseConfigUrl,
  shellyInfoRequest,
  type HandoverLogin,
} from './handover.js';
import { pickTopicName } from './pick-topic-name.js';
import type { PairingDevices } from './ports.js';

export interface ClaimSettings {
  /** How long the hub waits for an allowed device to connect with its own login. */
  handoverMs: number;
  /** How long a denied device is refused, and a settled claim (paired, manual) stays shown. */
  requestTtlMs: number;
  /** Pairing sessions at once. */
  maxSessions: number;
  hostname: string;
  mqttPort: () => number | null;
  mqttTlsPort: () => number | null;
}

/** Tasmota's default MQTT user (its password DVES_PASS); otherwise a pairing login has none. */
export const TASMOTA_DEFAULT_USER = 'DVES_USER';

const CLIENT_ID = /^[A-Za-z0-9_.:-]{1,64}$/;

interface Claim extends PairingClaimView {
  connected: boolean;
  /** The ids of the RPC frames of its handover (a Shelly's error to one of them ends it). */
  handoverRpcIds: unknown[];
  /** OpenEVSE: its web address as announced. */
  http: string | null;
  /** Why a second way of handing over failed (told if it ends on the manual path). */
  handoverNote: string | null;
  settledMs: number | null;
  /** Its own login, in memory only, for the settings an admin may have to type in. */
  login: { username: string; secret: string; topicName: string } | null;
  cancelHandover?: CancelTimer;
}

const refuse = (returnCode: 2 | 3 | 4 | 5, why: string): PairingAdmission => ({
  admit: false,
  returnCode,
  why,
});

/**
 * Pairing without typing (docs/devices.md): a Tasmota, Shelly Gen2 or OpenEVSE connects with a
 * pairing login while the window is open, says what it is in its first messages, and once an
 * admin allows it gets its own login through its firmware's configuration command. The broker
 * forwards such a session nothing and routes none of its messages (broker-hooks.ts).
 */
export class ClaimPairing implements PairingSessions, Component {
  readonly name = 'pairing-claims';
  private readonly claims = new Map<string, Claim>();
  /** Live pairing sessions (client id → IPv4 address). */
  private readonly live = new Map<string, string>();
  private readonly deniedUntilMs = new Map<string, number>();
  private rpcId = 1;
  private cancelPrune: CancelTimer | undefined;
  private stopListening: (() => void) | undefined;
  private stopped = true;
  readonly counts = { admitted: 0, refused: 0, messages: 0, allowed: 0, paired: 0, manual: 0, denied: 0 };

  constructor(
    private readonly deps: {
      devices: PairingDevices;
      line: PairingLinePort;
      windowOpen: () => boolean;
      /** POSTs an OpenEVSE's settings to its web API; resolves with why it failed, or null. */
      postOpenevseConfig?: (url: string, body: string) => Promise<string | null>;
      bus: EventBus;
      clock: Clock;
      log: Logger;
      settings: ClaimSettings;
    },
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.deps.line.attach(this);
    const offConnected = this.deps.bus.on('mqtt.connected', (e) => {
      if (e.principal === 'pairing') this.live.set(e.clientId, normaliseIpv4(e.remoteAddress) ?? '');
      else if (e.username) this.loggedIn(e.username);
    });
    const offRemoved = this.deps.bus.on('device.removed', ({ deviceId }) => {
      for (const claim of this.claims.values()) {
        if (claim.deviceId !== deviceId) continue;
        this.deps.line.end(claim.clientId, 'its device was deleted');
        this.forget(claim);
      }
    });
    this.stopListening = () => (offConnected(), offRemoved());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopListening?.();
    this.stopListening = undefined;
    this.cancelPrune?.();
    for (const claim of this.claims.values()) claim.cancelHandover?.();
  }

  status(): ComponentStatus {
    return { state: 'ready', detail: { sessions: this.live.size, claims: this.claims.size, ...this.counts } };
  }

  admit(login: MqttLogin): PairingAdmission {
    if (login.username && login.username !== TASMOTA_DEFAULT_USER) return 'pass';
    const verdict = this.decide(login);
    if (verdict !== 'pass' && verdict.admit) this.counts.admitted += 1;
    else this.counts.refused += 1;
    return verdict;
  }

  private decide({ remoteAddress, clientId, webSocket }: MqttLogin): PairingAdmission {
    const nowMs = this.deps.clock.nowMs();
    // As a wrong password is answered (CONNACK 4): outside a window it is not a login at all.
    if (this.stopped || !this.deps.windowOpen())
      return refuse(4, 'no pairing window is open (open one in the app: Devices, Add a device)');
    // Devices speak MQTT over TCP or TLS: a web page (MQTT over WebSocket) never pairs.
    if (webSocket) return refuse(5, 'pairing is over MQTT on TCP or TLS, not WebSocket');
    const ip = normaliseIpv4(remoteAddress);
    if (!ip) return refuse(5, 'pairing is for IPv4 devices only');
    if (!CLIENT_ID.test(clientId))
      return refuse(2, 'a pairing device needs a client id of 1 to 64 letters, digits or . _ - :');
    // By client id (the firmware's own: DVES_<mac>, the Shelly id, the OpenEVSE host name), not
    // by address: other devices behind the same address may still ask.
    if ((this.deniedUntilMs.get(clientId) ?? -Infinity) > nowMs)
      return refuse(5, 'an administrator denied this device lately');
    // A second connection with the id of a device pairing now would take its place, and an
    // Allow meant for it: refused until that session ends.
    if (this.live.has(clientId)) return refuse(2, 'a device with this client id is pairing already');
    const claim = this.claims.get(clientId);
    if (claim && claim.ip !== ip)
      return refuse(5, `a device with this client id is pairing from ${claim.ip}`);
    if (this.live.size >= this.deps.settings.maxSessions)
      return refuse(3, 'too many devices are pairing at once: try again later');
    return { admit: true };
  }

  published(clientId: string, remoteAddress: string, topic: string, payload: Buffer): void {
    this.counts.messages += 1;
    const nowMs = this.deps.clock.nowMs();
    // Its first message may come before the broker announces the session ready.
    if (!this.live.has(clientId)) this.live.set(clientId, normaliseIpv4(remoteAddress) ?? '');
    const known = this.claims.get(clientId);
    if (!known && !this.deps.windowOpen()) return; // no new question once the window closed
    const claim = known ?? this.open(clientId, nowMs);
    claim.lastSeenMs = nowMs;
    const facts = readClaimFacts(topic, payload);
    if (!facts) return;
    const handoverReply = claim.handoverRpcIds.includes(facts.rpcReply?.id);
    if (facts.rpcReply?.error && handoverReply && claim.status === 'handing-over') {
      return this.settle(claim, 'manual', `it refused the settings: ${facts.rpcReply.error}`);
    }
    if (facts.kind && claim.kind && facts.kind !== claim.kind) return; // a second story: the first stands
    const before = JSON.stringify(claim);
    if (facts.kind && !claim.kind) claim.kind = facts.kind;
    claim.topicName ??= facts.topicName ?? null;
    claim.model = facts.model ?? claim.model;
    claim.label = facts.label ?? claim.label;
    claim.problem = facts.problem ?? claim.problem;
    claim.http = facts.http ?? claim.http;
    if (claim.status === 'connected' && claim.kind && (claim.topicName || claim.problem)) {
      claim.status = 'waiting';
      if (claim.kind === 'shelly' && claim.topicName)
        this.send(claim, [shellyInfoRequest(claim.topicName, this.rpcId++)]);
      this.deps.log.info(
        { clientId, ip: claim.ip, kind: claim.kind },
        'a device asks to pair without typing',
      );
    }
    if (JSON.stringify(claim) !== before) this.changed();
  }

  closed(clientId: string): void {
    this.live.delete(clientId);
    const claim = this.claims.get(clientId);
    if (!claim) return;
    claim.connected = false;
    // Before it is allowed, a device that leaves takes its question with it.
    if (claim.status === 'connected' || claim.status === 'waiting') this.forget(claim);
    else this.changed();
  }

  view(): PairingClaimView[] {
    return [...this.claims.values()].map(
      ({ connected: _c, settledMs: _s, login: _l, cancelHandover: _h, ...view }) => view,
    );
  }

  /** Creates its own device and sends it its login with the firmware's own command. */
  allow(
    clientId: string,
    opts: { name?: string; room?: string } = {},
  ): { deviceId: number; topicName: string } {
    const claim = this.find(clientId);
    const { kind, topicName } = claim;
    if (claim.status === 'connected' || !kind)
      throw new UserError(
        `the device ${clientId} has not said what it is yet`,
        409,
        'pairing_claim_unknown_kind',
      );
    if (claim.status !== 'waiting')
      throw new UserError(`the device ${clientId} is already allowed`, 409, 'pairing_already_allowed');
    if (!this.deps.windowOpen())
      throw new UserError(
        'the pairing window is closed: open it to allow a device',
        409,
        'pairing_window_closed',
      );
    if (claim.problem || !topicName)
      throw new UserError(
        claim.problem ?? `the device ${clientId} has not said its topic`,
        409,
        'pairing_claim_unsupported',
      );
    const taken = new Set(this.deps.devices.list().map((d) => d.topicName.toLowerCase()));
    const fallback = `${kind}-${claim.ip.split('.').at(-1)}`;
    const { credentials, topicName: newTopicName } = pickTopicName(
      topicNameProblem(topicName) ? fallback : topicName,
      taken,
      (name) => this.deps.devices.add(opts.name ?? claim.label ?? `${kind} ${name}`, kind, name),
    );
    const deviceId = credentials.device.id;
    if (opts.room !== undefined) this.deps.devices.update(deviceId, { room: opts.room });
    const login = { username: credentials.mqttUsername, secret: credentials.secret, topicName: newTopicName };
    Object.assign(claim, { deviceId, login, status: 'handing-over', untilMs: null });
    this.counts.allowed += 1;
    this.deps.log.info(
      { clientId, ip: claim.ip, deviceId, topicName: newTopicName },
      'pairing allowed: sending the device its own login',
    );
    const firstRpcId = this.rpcId;
    const handover = { kind, topicName, newTopicName, username: login.username, secret: login.secret };
    const messages = handoverMessages(handover, this.rpcId);
    if (kind === 'openevse') this.postToWebApi(claim, handover);
    this.rpcId += messages.length;
    claim.handoverRpcIds = messages.map((_, i) => firstRpcId + i);
    if (!this.send(claim, messages)) {
      this.settle(claim, 'manual', 'it left before the hub could send its login');
    } else {
      const { handoverMs } = this.deps.settings;
      claim.untilMs = this.deps.clock.nowMs() + handoverMs;
      claim.cancelHandover = this.deps.clock.after(handoverMs, () => {
        if (claim.status === 'handing-over')
          this.settle(
            claim,
            'manual',
            `it did not connect with its own login within ${Math.round(handoverMs / 1000)} s` +
              (claim.handoverNote ? `; ${claim.handoverNote}` : ''),
          );
      });
      this.changed();
    }
    return { deviceId, topicName: newTopicName };
  }

  deny(clientId: string): void {
    const claim = this.find(clientId);
    const untilMs = this.deps.clock.nowMs() + this.deps.settings.requestTtlMs;
    this.deniedUntilMs.set(clientId, untilMs);
    this.counts.denied += 1;
    // A login not yet used is revoked with its device; a paired device stays (delete it instead).
    if (claim.deviceId !== null && claim.status !== 'paired') this.removeDevice(claim.deviceId);
    this.deps.line.end(clientId, 'denied by an administrator');
    this.forget(claim);
  }

  /** The settings to type into the device by hand (the manual path). */
  settings(clientId: string): PairingClaimSettings {
    const claim = this.find(clientId);
    if (!claim.login || claim.deviceId === null)
      throw new UserError(`the device ${clientId} is not allowed yet`, 409, 'pairing_claim_not_allowed');
    const { hostname, mqttPort, mqttTlsPort } = this.deps.settings;
    const tlsPort = mqttTlsPort();
    return {
      clientId,
      deviceId: claim.deviceId,
      host: `${hostname}.local`,
      port: mqttPort(),
      tlsPort,
      username: claim.login.username,
      password: claim.login.secret,
      topic: claim.login.topicName,
      caUrl: tlsPort === null ? null : '/api/v1/mqtt/ca.crt',
    };
  }

  /**
   * The window closed: every pairing session ends (one being handed over has had its login sent:
   * the hub still waits for it to come back with it); unanswered questions go.
   */
  windowClosed(): void {
    for (const clientId of [...this.live.keys()]) this.deps.line.end(clientId, 'the pairing window closed');
    for (const claim of [...this.claims.values()])
      if (claim.status === 'connected' || claim.status === 'waiting') this.forget(claim);
  }

  private open(clientId: string, nowMs: number): Claim {
    const ip = this.live.get(clientId) ?? '';
    const claim: Claim = {
      clientId,
      ip,
      kind: null,
      topicName: null,
      model: null,
      label: null,
      firstSeenMs: nowMs,
      lastSeenMs: nowMs,
      status: 'connected',
      deviceId: null,
      untilMs: null,
      problem: null,
      connected: true,
      handoverRpcIds: [],
      http: null,
      handoverNote: null,
      settledMs: null,
      login: null,
    };
    this.claims.set(clientId, claim);
    this.changed();
    return claim;
  }

  private loggedIn(username: string): void {
    for (const claim of this.claims.values()) {
      if (claim.login?.username !== username || claim.status === 'paired') continue;
      this.counts.paired += 1;
      this.deps.log.info(
        { clientId: claim.clientId, deviceId: claim.deviceId },
        'a device paired without typing connected with its own login',
      );
      this.settle(claim, 'paired', null);
    }
  }

  private settle(claim: Claim, status: 'paired' | 'manual', problem: string | null): void {
    if (status === 'manual') this.counts.manual += 1;
    claim.cancelHandover?.();
    Object.assign(claim, { status, problem, untilMs: null, settledMs: this.deps.clock.nowMs() });
    // Its pairing session has done its part; a paired device's login is no longer shown.
    if (this.live.has(claim.clientId)) this.deps.line.end(claim.clientId, `pairing ${status}`);
    if (status === 'paired') claim.login = null;
    this.changed();
  }

  /** OpenEVSE 4.x takes its settings only on its web API, at the address it pairs from. */
  private postToWebApi(claim: Claim, handover: HandoverLogin): void {
    const post = this.deps.postOpenevseConfig;
    if (!post) return;
    void post(openevseConfigUrl(claim.ip, claim.http), openevseConfigBody(handover)).then((why) => {
      claim.handoverNote = why;
    });
  }

  private send(claim: Claim, messages: { topic: string; payload: string }[]): boolean {
    return messages.every((m) => this.deps.line.deliver(claim.clientId, m.topic, m.payload));
  }

  private find(clientId: string): Claim {
    const claim = this.claims.get(clientId);
    if (!claim) throw new UserError(`no device ${clientId} is pairing`, 404, 'pairing_claim_not_found');
    return claim;
  }

  private forget(claim: Claim): void {
    claim.cancelHandover?.();
    this.claims.delete(claim.clientId);
    this.changed();
  }

  private removeDevice(deviceId: number): void {
    try {
      this.deps.devices.remove(deviceId);
    } catch (err) {
      if (!(err instanceof UserError)) throw err; // already deleted
    }
  }

  /** Announces the change; settled claims and denials are forgotten after requestTtlMs. */
  private changed(): void {
    if (this.stopped) return;
    const nowMs = this.deps.clock.nowMs();
    const ttlMs = this.deps.settings.requestTtlMs;
    for (const [key, untilMs] of this.deniedUntilMs) if (untilMs <= nowMs) this.deniedUntilMs.delete(key);
    const settled = [...this.claims.values()].filter((c) => c.settledMs !== null);
    for (const claim of settled.filter((c) => c.settledMs! + ttlMs <= nowMs))
      this.claims.delete(claim.clientId);
    const next = Math.min(...settled.map((c) => c.settledMs! + ttlMs).filter((t) => t > nowMs));
    this.cancelPrune?.();
    this.cancelPrune = Number.isFinite(next)
      ? this.deps.clock.after(next - nowMs, () => this.changed())
      : undefined;
    this.deps.bus.emit('pairing.changed', {});
  }
}
