import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import type { EventBus } from '../shared/event-bus.js';
import type { Logger } from '../shared/logger.js';
import { energyNeededKWh, scheduleSchema, smartScheduleProblem, type Schedule } from './schedule.js';
import type { SqliteScheduleRepo } from './schedule-repo.sqlite.js';

/** What the scheduler needs to know of a device. */
export interface ScheduledDevices {
  /** Its kind, or undefined when it does not exist. */
  kindOf(deviceId: number): string | undefined;
}

/** A device's schedule as the API shows it; null: none (it is switched by hand only). */
export interface DeviceScheduleView {
  deviceId: number;
  schedule: Schedule | null;
  updatedAtMs: number | null;
}

/** Kinds that switch nothing (gateways relay readings; `hub` devices have no driver yet). */
const NOT_SWITCHABLE = new Set(['emonhub', 'gateway', 'hub']);

/** Schedules per device (issue 14 item 4): validated, stored, announced on the bus. */
export class ScheduleService {
  private stopListening: (() => void) | undefined;

  constructor(
    private readonly deps: {
      repo: SqliteScheduleRepo;
      devices: ScheduledDevices;
      bus: EventBus;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** A deleted device's schedule goes with it. */
  follow(): void {
    this.stopListening ??= this.deps.bus.on('device.removed', ({ deviceId }) => {
      if (this.deps.repo.delete(deviceId)) this.deps.bus.emit('schedule.changed', { deviceId });
    });
  }

  unfollow(): void {
    this.stopListening?.();
    this.stopListening = undefined;
  }

  get(deviceId: number): DeviceScheduleView {
    this.device(deviceId);
    const stored = this.deps.repo.get(deviceId);
    if (!stored) return { deviceId, schedule: null, updatedAtMs: null };
    const parsed = scheduleSchema.safeParse(stored.document);
    if (!parsed.success) {
      // Never acted on half-understood: shown as none, and said in the log.
      this.deps.log.warn(
        { deviceId, why: parsed.error.issues[0]?.message },
        'a stored schedule no longer reads; ignored',
      );
      return { deviceId, schedule: null, updatedAtMs: stored.updatedAtMs };
    }
    return { deviceId, schedule: parsed.data, updatedAtMs: stored.updatedAtMs };
  }

  /** Every device's schedule that reads (for the planner). */
  all(): DeviceScheduleView[] {
    return this.deps.repo
      .list()
      .map((s) => this.get(s.deviceId))
      .filter((v) => v.schedule !== null);
  }

  set(deviceId: number, input: unknown): DeviceScheduleView {
    const kind = this.device(deviceId);
    if (NOT_SWITCHABLE.has(kind))
      throw new UserError(
        `device ${deviceId} (${kind}) switches nothing: it cannot have a schedule`,
        409,
        'device_not_switchable',
      );
    const parsed = scheduleSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
      throw new UserError(`${issue?.message ?? 'not a schedule'}${where}`, 400, 'invalid_schedule');
    }
    const schedule = parsed.data;
    const problem = schedule.mode === 'smart' ? smartScheduleProblem(schedule.smart) : undefined;
    if (problem) throw new UserError(problem, 400, 'invalid_schedule');
    if (schedule.mode === 'smart' && energyNeededKWh(schedule.smart) !== null && kind !== 'openevse')
      throw new UserError('energyKWh and rangeKm are for chargers', 400, 'invalid_schedule');
    const nowMs = this.deps.clock.nowMs();
    this.deps.repo.set(deviceId, schedule, nowMs);
    this.deps.bus.emit('schedule.changed', { deviceId });
    return { deviceId, schedule, updatedAtMs: nowMs };
  }

  /** Back to switching by hand only. */
  clear(deviceId: number): void {
    this.device(deviceId);
    if (this.deps.repo.delete(deviceId)) this.deps.bus.emit('schedule.changed', { deviceId });
  }

  private device(deviceId: number): string {
    const kind = this.deps.devices.kindOf(deviceId);
    if (kind === undefined) throw new UserError(`device ${deviceId} does not exist`, 404, 'device_not_found');
    return kind;
  }
}
