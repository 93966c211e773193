import { z } from 'zod';

// A device's schedule as a householder sets it (issue 14 item 4), like an alarm clock: pure
// types and their validation. Times of day are local to the hub's IANA time zone.

export const SCHEDULE_MODES = ['on', 'off', 'smart', 'timer'] as const;
export type ScheduleMode = (typeof SCHEDULE_MODES)[number];

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

const timeOfDay = (what: string) =>
  z.string({ error: `${what} must be a time of day such as "08:00"` }).regex(TIME_OF_DAY, {
    error: `${what} must be a time of day such as "08:00"`,
  });
const minutes = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a number of minutes` })
    .int({ error: `${what} must be whole minutes` })
    .min(0, { error: `${what} must be 0 or more` })
    .max(max, { error: `${what} must be at most ${max} minutes` });

/** A typical electric car's use (about 17 kWh per 100 km), when the householder gives none. */
export const DEFAULT_WH_PER_KM = 170;

/** mode smart: ready by a time, run for a while, in one block or with pauses. */
export const smartScheduleSchema = z.strictObject({
  readyBy: timeOfDay('readyBy'),
  runMinutes: minutes('runMinutes', 24 * 60).refine((m) => m > 0, {
    error: 'runMinutes must be more than 0',
  }),
  interruptible: z.boolean({ error: 'interruptible must be true or false' }),
  /** Shortest run and shortest pause when interruptible (compressors must not chatter). */
  minOnMinutes: minutes('minOnMinutes', 12 * 60).default(0),
  minGapMinutes: minutes('minGapMinutes', 12 * 60).default(0),
  /** Weekdays it repeats on, 0 = Sunday … 6 = Saturday; empty: once, on `onceDate`'s ready-by. */
  repeat: z
    .array(z.number().int().min(0).max(6), { error: 'repeat must be a list of weekdays 0 (Sunday) to 6' })
    .max(7)
    .default([]),
  onceDate: z
    .string()
    .regex(DATE, { error: 'onceDate must be a date such as "2026-11-28"' })
    .nullable()
    .default(null),
  /** Chargers: the energy wanted by readyBy; the run time follows from the measured rate. */
  energyKWh: z.number({ error: 'energyKWh must be a number' }).positive().max(200).nullable().default(null),
  /** Chargers, instead of energyKWh: the range wanted by readyBy, at the car's use per km. */
  rangeKm: z.number({ error: 'rangeKm must be a number' }).positive().max(1000).nullable().default(null),
  whPerKm: z.number({ error: 'whPerKm must be a number' }).min(50).max(500).default(DEFAULT_WH_PER_KM),
  /**
   * Its draw when on, as the householder knows it: used until the hub has measured one (a
   * household limit cannot be kept with a draw it does not know).
   */
  powerW: z
    .number({ error: 'powerW must be a number of watts' })
    .int({ error: 'powerW must be whole watts' })
    .positive()
    .max(100_000)
    .nullable()
    .default(null),
});

/** The energy a charger's schedule wants by its ready-by, or null for one that runs a time. */
export function energyNeededKWh(s: SmartSchedule): number | null {
  if (s.energyKWh !== null) return s.energyKWh;
  return s.rangeKm == null ? null : (s.rangeKm * s.whPerKm) / 1000;
}

export const timerScheduleSchema = z.strictObject({
  periods: z
    .array(z.strictObject({ start: timeOfDay('start'), stop: timeOfDay('stop') }), {
      error: 'periods must be a list of {start, stop}',
    })
    .min(1)
    .max(4),
  repeat: z.array(z.number().int().min(0).max(6)).max(7).default([0, 1, 2, 3, 4, 5, 6]),
});

export const scheduleSchema = z.discriminatedUnion(
  'mode',
  [
    z.strictObject({ mode: z.literal('on') }),
    z.strictObject({ mode: z.literal('off') }),
    z.strictObject({ mode: z.literal('smart'), smart: smartScheduleSchema }),
    z.strictObject({ mode: z.literal('timer'), timer: timerScheduleSchema }),
  ],
  { error: `mode must be one of ${SCHEDULE_MODES.join(', ')}` },
);

export type Schedule = z.infer<typeof scheduleSchema>;
export type SmartSchedule = z.infer<typeof smartScheduleSchema>;

/** What is wrong with a smart schedule beyond its fields' shapes, or undefined. */
export function smartScheduleProblem(s: SmartSchedule): string | undefined {
  if (!s.interruptible && (s.minOnMinutes > 0 || s.minGapMinutes > 0))
    return 'minOnMinutes and minGapMinutes are for a schedule that may pause';
  if (s.minOnMinutes > s.runMinutes) return 'minOnMinutes is longer than runMinutes';
  if (s.repeat.length === 0 && s.onceDate === null) return 'a schedule that does not repeat needs onceDate';
  if (s.repeat.length > 0 && s.onceDate !== null) return 'a repeating schedule has no onceDate';
  if (new Set(s.repeat).size !== s.repeat.length) return 'repeat lists a weekday twice';
  if (s.energyKWh !== null && s.rangeKm !== null) return 'give energyKWh or rangeKm, not both';
  return undefined;
}
