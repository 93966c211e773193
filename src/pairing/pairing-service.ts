import type { PairingClaimView, PairingStateView } from '../api/contract.js';
import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { UserError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { AuthRequests, authAnswer, hintOf, normaliseIpv4, type AuthRequestLimits } from './auth-requests.js';
import { pickTopicName } from './pick-topic-name.js';
import type { PairingBeacon, PairingDevices, PairingMirror, PairingPort } from './ports.js';

export interface PairingSettings extends AuthRequestLimits {
  windowMs: number;
  beaconIntervalMs: number;
  /** The broker's MQTT port as it listens (asked at allow time); null when there is none. */
  mqttPort: () => number | null;
}

/** A plain-text answer to EmonESP's auth request, as emoncms gives it. */
export interface AuthReply {
  status: number;
  body: string;
}

/** The base topic an EmonESP paired here publishes under (its grants in devices/device-topics.ts). */
export const pairedBaseTopic = (topicName: string) => `emon/${topicName}`;

// The state lives in this process's memory and is mirrored to Redis (without the answers): a
// one-time answer holds a device's secret, which must never be written anywhere, and a request
// or allowance means nothing to a restarted hubd, whose secrets are gone. Pairing works on while
// Redis is down; the mirror only lets others read what is pending.

/**
 * Pairing (docs/devices.md, Pairing): EmonESP's auth requests, the admin's allow and deny, the
 * one-time answer, and the pairing window during which the UDP beacon is sent.
 */
export class PairingService implements Component, PairingPort {
  readonly name = 'pairing';
  private readonly requests: AuthRequests;
  private windowUntilMs: number | null = null;
  private cancelWindow: CancelTimer[] = [];
  private cancelExpiry: CancelTimer | undefined;
  private readonly counts = {
    registered: 0,
    answered: 0,
    rateLimited: 0,
    full: 0,
    refused: 0,
    droppedOldest: 0,
    lapsedAllowances: 0,
    ignoredDenied: 0,
    allowancesLostInRestart: 0,
  };

  constructor(
    private readonly deps: {
      devices: PairingDevices;
      beacon: PairingBeacon;
      mirror?: PairingMirror;
      /** Pairing without typing (claim-pairing.ts): shown with the requests, told when the window closes. */
      claims?: { view(): PairingClaimView[]; windowClosed(): void };
      bus: EventBus;
      clock: Clock;
      log: Logger;
      settings: PairingSettings;
    },
  ) {
    this.requests = new AuthRequests(deps.settings);
  }

  private stopListening: (() => void) | undefined;

  async start(): Promise<void> {
    await this.forgetBeforeRestart();
    // A device deleted while its allowance waits: its login must not be handed out.
    this.stopListening ??= this.deps.bus.on('device.removed', ({ deviceId }) => {
      if (this.requests.forgetDevice(deviceId) !== undefined) this.changed(this.deps.clock.nowMs());
    });
  }

  /**
   * The answers died with the last process, so the devices its allowances created can never
   * fetch their logins: delete them, and clear what the mirror still shows of that process.
   */
  private async forgetBeforeRestart(): Promise<void> {
    const { mirror, log, clock } = this.deps;
    if (!mirror) return;
    let before;
    try {
      before = await mirror.load();
    } catch (err) {
      log.warn({ err: String(err) }, 'could not read the pairing state from before the restart');
      return;
    }
    // A stop and start in one process keeps its allowances (and their answers) in memory.
    const nowMs = clock.nowMs();
    const kept = new Set(this.requests.view(nowMs).map((r) => r.deviceId));
    for (const { ip, deviceId } of before) {
      if (typeof deviceId !== 'number' || kept.has(deviceId)) continue;
      this.counts.allowancesLostInRestart += 1;
      log.info({ ip, deviceId }, 'a pairing allowance ended with the restart: its device is deleted');
      this.removeUnfetched(deviceId);
    }
    mirror.save({ windowOpenUntilMs: this.openUntil(nowMs), requests: this.requests.view(nowMs) }, nowMs);
  }

  async stop(): Promise<void> {
    this.stopListening?.();
    this.stopListening = undefined;
    this.closeWindowTimers();
    this.cancelExpiry?.();
    this.cancelExpiry = undefined;
  }

  status(): ComponentStatus {
    const nowMs = this.deps.clock.nowMs();
    return {
      state: 'ready',
      detail: {
        pending: this.requests.view(nowMs).length,
        windowOpenUntilMs: this.openUntil(nowMs),
        ...this.counts,
      },
    };
  }

  state(): PairingStateView {
    const nowMs = this.deps.clock.nowMs();
    this.expire(nowMs);
    return {
      windowOpenUntilMs: this.openUntil(nowMs),
      requests: this.requests.view(nowMs),
      claims: this.deps.claims?.view() ?? [],
    };
  }

  /** Whether a pairing window is open now. */
  windowOpen(): boolean {
    return this.openUntil(this.deps.clock.nowMs()) !== null;
  }

  /** GET …/device/auth/request.json from `address`: registered, or the one-time answer. */
  request(address: string | undefined, userAgent: string | undefined): AuthReply {
    const nowMs = this.deps.clock.nowMs();
    this.expire(nowMs);
    const outcome = this.requests.request(address, hintOf(userAgent), nowMs);
    switch (outcome.kind) {
      case 'refused':
        this.counts.refused += 1;
        return {
          status: 400,
          body: `Pairing is for IPv4 devices only (this request came from ${address ?? 'an unknown address'})`,
        };
      case 'rate_limited':
        this.counts.rateLimited += 1;
        return { status: 429, body: 'Too many pairing requests from this address: try again in a minute' };
      case 'full':
        this.counts.full += 1;
        return { status: 429, body: 'Too many devices are waiting to pair: try again later' };
      case 'answered':
        this.counts.answered += 1;
        this.deps.log.info(
          { ip: outcome.ip, deviceId: outcome.deviceId },
          'a paired device fetched its login',
        );
        this.changed(nowMs);
        return { status: 200, body: outcome.answer };
      case 'ignored':
        this.counts.ignoredDenied += 1;
        return { status: 200, body: `Authentication request registered for IP ${outcome.ip}` };
      case 'registered':
        this.counts.registered += 1;
        if (outcome.dropped) {
          this.counts.droppedOldest += 1;
          this.deps.log.warn({ ip: outcome.dropped }, 'too many pairing requests: the oldest was dropped');
        }
        this.changed(nowMs);
        return { status: 200, body: `Authentication request registered for IP ${outcome.ip}` };
    }
  }

  /**
   * Creates an EmonESP device with its own login for the pending request from `ip`; the next
   * request from `ip` within the allowance time gets `user:secret:emon/<topic>[:port]` once.
   */
  allow(ip: string, opts: { name?: string; room?: string } = {}): { deviceId: number; topicName: string } {
    const nowMs = this.deps.clock.nowMs();
    this.expire(nowMs);
    const address = normaliseIpv4(ip);
    if (!address || !this.requests.isPending(address, nowMs)) {
      throw new UserError(`no device at ${ip} is waiting to pair`, 404, 'pairing_request_not_found');
    }
    if (this.requests.view(nowMs).find((r) => r.ip === address)?.allowedUntilMs != null) {
      throw new UserError(`the device at ${address} is already allowed`, 409, 'pairing_already_allowed');
    }
    const { credentials, topicName } = this.createDevice(address, opts.name ?? `EmonESP at ${address}`);
    const { mqttUsername, secret } = credentials;
    const answer = authAnswer(
      mqttUsername,
      secret,
      pairedBaseTopic(topicName),
      this.deps.settings.mqttPort(),
    );
    const deviceId = credentials.device.id; // DeviceService.add announced it ('device.added')
    if (opts.room !== undefined) this.deps.devices.update(deviceId, { room: opts.room });
    this.requests.allow(address, answer, deviceId, nowMs);
    this.deps.log.info({ ip: address, deviceId, topicName }, 'pairing allowed');
    this.changed(nowMs);
    return { deviceId, topicName };
  }

  deny(ip: string): void {
    const nowMs = this.deps.clock.nowMs();
    this.expire(nowMs);
    const address = normaliseIpv4(ip);
    const allowedDevice = this.requests.view(nowMs).find((r) => r.ip === address)?.deviceId ?? null;
    if (!address || !this.requests.deny(address, nowMs)) {
      throw new UserError(`no device at ${ip} is waiting to pair`, 404, 'pairing_request_not_found');
    }
    if (allowedDevice !== null) this.removeUnfetched(allowedDevice);
    this.changed(nowMs);
  }

  /** Opens the pairing window (beacons every interval until it closes) or closes it. */
  setWindow(open: boolean): PairingStateView {
    const { clock, settings } = this.deps;
    this.closeWindowTimers();
    if (open) {
      this.windowUntilMs = clock.nowMs() + settings.windowMs;
      this.cancelWindow = [
        clock.every(settings.beaconIntervalMs, () => void this.deps.beacon.sendNow()),
        clock.after(settings.windowMs, () => this.setWindow(false)),
      ];
      void this.deps.beacon.sendNow();
    } else {
      this.windowUntilMs = null;
      this.deps.claims?.windowClosed();
    }
    this.changed(clock.nowMs());
    return this.state();
  }

  /** One beacon now (the app's "search again"); false when it could not be sent. */
  beaconNow(): Promise<boolean> {
    return this.deps.beacon.sendNow();
  }

  private openUntil(nowMs: number): number | null {
    return this.windowUntilMs !== null && this.windowUntilMs > nowMs ? this.windowUntilMs : null;
  }

  private closeWindowTimers(): void {
    for (const cancel of this.cancelWindow) cancel();
    this.cancelWindow = [];
  }

  /** `plug-<last octet>`, or with -2, -3… when a device has it. */
  private createDevice(ip: string, name: string) {
    const taken = new Set(this.deps.devices.list().map((d) => d.topicName.toLowerCase()));
    return pickTopicName(`plug-${ip.split('.').at(-1)}`, taken, (topicName) =>
      this.deps.devices.add(name, 'emonesp', topicName),
    );
  }

  /** An allowance lapsed or was denied before its answer was fetched: its login is of no use. */
  private removeUnfetched(deviceId: number): void {
    try {
      this.deps.devices.remove(deviceId);
    } catch (err) {
      if (!(err instanceof UserError)) throw err; // already deleted by an admin
    }
  }

  /** Drops what expired (deleting the devices of lapsed allowances) and re-arms the timer. */
  private expire(nowMs: number): void {
    const gone = this.requests.prune(nowMs);
    for (const { ip, lapsedDeviceId } of gone) {
      if (lapsedDeviceId === null) continue;
      this.counts.lapsedAllowances += 1;
      this.deps.log.info({ ip, deviceId: lapsedDeviceId }, 'a pairing allowance lapsed unfetched');
      this.removeUnfetched(lapsedDeviceId);
    }
    if (gone.length > 0) this.changed(nowMs);
  }

  private changed(nowMs: number): void {
    this.cancelExpiry?.();
    const nextMs = this.requests.nextExpiryMs();
    this.cancelExpiry =
      nextMs === null
        ? undefined
        : this.deps.clock.after(nextMs - nowMs, () => this.expire(this.deps.clock.nowMs()));
    this.deps.mirror?.save(
      { windowOpenUntilMs: this.openUntil(nowMs), requests: this.requests.view(nowMs) },
      nowMs,
    );
    this.deps.bus.emit('pairing.changed', {});
  }
}
