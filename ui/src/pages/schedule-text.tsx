import type { ScheduleJson } from '../../../src/api/contract.js';
import { formatDate, formatNumber, type Locale } from '../i18n.js';
import { WEEKDAYS_MONDAY_FIRST } from '../schedule-model.js';
import { useSchedulerMessages } from './plan-chart.js';
import type { SchedulerMessageKey } from './scheduler-messages.js';

// A device's schedule in words, for those who may read it but not change it.

type T = (key: SchedulerMessageKey, vars?: Record<string, string | number>) => string;

/** The schedule in words, for viewers. */
export function ScheduleText(props: { schedule: ScheduleJson | null }) {
  const { t, locale } = useSchedulerMessages();
  return <p data-testid="schedule-text">{scheduleText(t, locale, props.schedule)}</p>;
}

function scheduleText(t: T, locale: Locale, schedule: ScheduleJson | null): string {
  const repeats = (repeat: number[]) =>
    repeat.length === 7
      ? t('schedule.daily')
      : t('schedule.onDays', {
          days: WEEKDAYS_MONDAY_FIRST.filter((d) => repeat.includes(d))
            .map((d) => t(`day.${d}`))
            .join(', '),
        });
  if (!schedule) return t('schedule.none');
  if (schedule.mode === 'on') return t('schedule.alwaysOn');
  if (schedule.mode === 'off') return t('schedule.alwaysOff');
  if (schedule.mode === 'timer') {
    const periods = schedule.timer.periods.map((p) => `${p.start}–${p.stop}`).join(', ');
    return `${t('schedule.timerText', { periods })} ${repeats(schedule.timer.repeat)}`;
  }
  const s = schedule.smart;
  const parts = [
    s.energyKWh !== null
      ? t('schedule.smartEnergy', { kwh: formatNumber(locale, s.energyKWh, 1), readyBy: s.readyBy })
      : s.rangeKm !== null
        ? t('schedule.smartRange', {
            km: formatNumber(locale, s.rangeKm, 0),
            kwh: formatNumber(locale, (s.rangeKm * s.whPerKm) / 1000, 1),
            readyBy: s.readyBy,
          })
        : t('schedule.smartText', {
            readyBy: s.readyBy,
            run: t('schedule.hm', { h: Math.floor(s.runMinutes / 60), m: s.runMinutes % 60 }),
          }),
    s.interruptible
      ? t('schedule.pauses', { on: s.minOnMinutes, gap: s.minGapMinutes })
      : t('schedule.oneBlock'),
    s.onceDate !== null
      ? t('schedule.onDate', { date: formatDate(locale, Date.parse(`${s.onceDate}T12:00:00Z`) / 1000) })
      : repeats(s.repeat),
  ];
  return parts.join(' ');
}
