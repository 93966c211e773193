import type { ControlStatusView } from '../api/contract.js';
import type { CancelTimer, Clock } from '../shared/clock.js';
import { describeError, UserError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import type { DrivenDevice, ReportListener } from './device-runner.js';
import {
  relayPart,
  type DesiredState,
  type DeviceState,
  type OutgoingMessage,
  type ReportedPart,
} from './driver.js';

/** What control needs of the runner (DeviceRunner has it). */
export interface ControlTarget {
  driven(deviceId: number): DrivenDevice | undefined;
  canSend(): boolean;
  onReport(listener: ReportListener): () => void;
  send(messages: readonly OutgoingMessage[]): Promise<void>;
}

export interface ControlSettings {
  /** How long a command waits for the device's own report before it is sent again. */
  confirmTimeoutMs: number;
  /** Sends after the first before it is "not confirmed". */
  retries: number;
}

/** A request just made, and when it settles (confirmed, not confirmed, failed or replaced). */
export interface ControlRequest {
  status: ControlStatusView;
  settled: Promise<ControlStatusView>;
}

interface Pending {
  deviceId: number;
  desired: DesiredState;
  status: ControlStatusView;
  cancelTimer: CancelTimer | undefined;
  /** The parts the device has reported since the request; the ones it controls must be among them. */
  reported: Set<ReportedPart>;
  resolve: (status: ControlStatusView) => void;
}

/**
 * Switches devices (issue 13, item 9): sends the driver's commands at QoS 1, then waits for the
 * device's own report to show the change. Not confirmed within the timeout: asks again (queries,
 * then the commands), up to `retries` times, then "not confirmed". A report that confirms after
 * that still turns it into "confirmed": the device did it. A newer request replaces the older.
 * Each device's last request is kept in memory only: after a restart there is none to show.
 */
export class DeviceControlService {
  private readonly last = new Map<number, Pending>();
  private offReport: (() => void) | undefined;
  private offRemoved: (() => void) | undefined;

  constructor(
    private readonly target: ControlTarget,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly settings: ControlSettings,
    private readonly log: Logger,
    /** Whether a device id exists at all (404 rather than 409 for one without a driver). */
    private readonly exists: (deviceId: number) => boolean,
  ) {}

  /** Starts following reports and removals. */
  open(): void {
    this.offReport ??= this.target.onReport((id, state, reported) => this.onReport(id, state, reported));
    this.offRemoved ??= this.bus.on('device.removed', ({ deviceId }) => this.drop(deviceId));
  }

  /** Ends every wait (stop): nothing fires afterwards. */
  close(): void {
    this.offReport?.();
    this.offRemoved?.();
    this.offReport = this.offRemoved = undefined;
    for (const id of [...this.last.keys()])
      this.replace(id, 'the hub stopped before the device confirmed it');
  }

  /** The device's last request and how it went, or null. */
  status(deviceId: number): ControlStatusView | null {
    const pending = this.last.get(deviceId);
    return pending ? copy(pending.status) : null;
  }

  /** Validates and sends `desired`; answers at once with the pending status. */
  setState(deviceId: number, desired: DesiredState): ControlRequest {
    const driven = this.target.driven(deviceId);
    if (!driven) {
      if (!this.exists(deviceId))
        throw new UserError(`device ${deviceId} does not exist`, 404, 'device_not_found');
      throw new UserError(
        `device ${deviceId} has no driver: the hub cannot switch it`,
        409,
        'not_controllable',
      );
    }
    if (
      desired.on === undefined &&
      desired.currentLimitA === undefined &&
      desired.energyLimitKWh === undefined
    )
      throw new UserError(
        'say what to change: on, currentLimitA or energyLimitKWh',
        400,
        'nothing_to_change',
      );
    const capabilities = driven.driver.capabilities(driven.device);
    if (desired.on !== undefined && !capabilities.includes('switch') && !capabilities.includes('evCharging'))
      throw new UserError('this device has nothing to switch on or off', 400, 'unsupported');
    if (
      (desired.currentLimitA !== undefined || desired.energyLimitKWh !== undefined) &&
      !capabilities.includes('evCharging')
    )
      throw new UserError('only a charger takes a current or energy limit', 400, 'unsupported');
    if (!this.target.canSend())
      throw new UserError('MQTT is turned off: the hub cannot reach devices', 409, 'mqtt_disabled');
    if (driven.state.online === false)
      throw new UserError('the device is offline: it would not get the command', 409, 'device_offline');
    const commands = driven.driver.commands(driven.device, desired); // a UserError for what it cannot do

    this.replace(deviceId, 'replaced by a newer request before it was confirmed');
    let resolve!: (status: ControlStatusView) => void;
    const settled = new Promise<ControlStatusView>((r) => (resolve = r));
    const pending: Pending = {
      deviceId,
      desired: { ...desired },
      status: {
        desired: { ...desired },
        status: 'pending',
        requestedAtMs: this.clock.nowMs(),
        settledAtMs: null,
        attempts: 1,
        reason: null,
      },
      cancelTimer: undefined,
      reported: new Set(),
      resolve,
    };
    this.last.set(deviceId, pending);
    this.changed(pending);
    this.attempt(pending, commands);
    return { status: copy(pending.status), settled };
  }

  private attempt(pending: Pending, messages: readonly OutgoingMessage[]): void {
    pending.cancelTimer = this.clock.after(this.settings.confirmTimeoutMs, () => this.timedOut(pending));
    this.target.send(messages).catch((err: unknown) => {
      if (pending.status.status !== 'pending') return;
      this.log.warn({ deviceId: pending.deviceId, err: describeError(err) }, 'device command not sent');
      this.settle(pending, 'failed', `the command could not be sent: ${describeError(err)}`);
    });
  }

  private timedOut(pending: Pending): void {
    if (pending.status.status !== 'pending' || this.last.get(pending.deviceId) !== pending) return;
    const driven = this.target.driven(pending.deviceId);
    const timeoutS = this.settings.confirmTimeoutMs / 1000;
    if (!driven || pending.status.attempts > this.settings.retries) {
      const tries = pending.status.attempts;
      return this.settle(
        pending,
        'not_confirmed',
        `the device did not report the change within ${timeoutS} s of ${tries === 1 ? 'the command' : `each of ${tries} attempts`}`,
      );
    }
    // A device whose last will came after the request: a retry would only queue the command
    // for when it returns (docs/devices.md: an offline device is refused).
    if (driven.state.online === false)
      return this.settle(pending, 'not_confirmed', 'the device went offline before it confirmed');
    let messages: OutgoingMessage[];
    try {
      // Ask first: a report lost on the way confirms without switching twice.
      messages = [
        ...driven.driver.queries(driven.device),
        ...driven.driver.commands(driven.device, pending.desired),
      ];
    } catch (err) {
      return this.settle(pending, 'failed', `the command could not be made: ${describeError(err)}`);
    }
    pending.status.attempts++;
    this.changed(pending);
    this.attempt(pending, messages);
  }

  private onReport(deviceId: number, state: DeviceState, reported: readonly ReportedPart[]): void {
    const pending = this.last.get(deviceId);
    if (!pending || pending.status.status === 'confirmed' || pending.status.status === 'failed') return;
    for (const part of reported) pending.reported.add(part);
    // A value the device has not reported since the request (restored from Redis, older than
    // the command) confirms nothing, whatever else the message said.
    if (!controlledParts(pending.desired).every((part) => pending.reported.has(part))) return;
    const driven = this.target.driven(deviceId);
    if (!driven || !driven.driver.confirms(driven.device, state, pending.desired)) return;
    this.settle(pending, 'confirmed', null);
  }

  private settle(pending: Pending, status: ControlStatusView['status'], reason: string | null): void {
    pending.cancelTimer?.();
    pending.cancelTimer = undefined;
    pending.status = { ...pending.status, status, reason, settledAtMs: this.clock.nowMs() };
    pending.resolve(copy(pending.status));
    if (this.last.get(pending.deviceId) === pending) this.changed(pending);
  }

  /** Settles the device's request still waiting, for its waiter only: the newer one is shown. */
  private replace(deviceId: number, reason: string): void {
    const older = this.last.get(deviceId);
    if (!older) return;
    this.last.delete(deviceId);
    if (older.status.status === 'pending') this.settle(older, 'not_confirmed', reason);
    older.cancelTimer?.();
  }

  private drop(deviceId: number): void {
    this.replace(deviceId, 'the device was removed');
  }

  private changed(pending: Pending): void {
    this.bus.emit('device.state.changed', { deviceId: pending.deviceId });
  }
}

/** The parts of the state that show `desired` carried out. */
function controlledParts(desired: DesiredState): ReportedPart[] {
  const parts: ReportedPart[] = [];
  if (desired.on !== undefined) parts.push(relayPart(desired.relay ?? 0));
  if (desired.currentLimitA !== undefined || desired.energyLimitKWh !== undefined) parts.push('ev');
  return parts;
}

const copy = (status: ControlStatusView): ControlStatusView => ({
  ...status,
  desired: { ...status.desired },
});
