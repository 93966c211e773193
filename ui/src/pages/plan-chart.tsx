import type { DevicePlanJson } from '../../../src/api/contract.js';
import { formatDayMonth, formatHourMinute, formatNumber, useMessages, type Locale } from '../i18n.js';
import { costSummary, planChart, type ChartGeometry, type Series } from '../plan-model.js';
import { SCHEDULER_MESSAGES, type SchedulerMessageKey } from './scheduler-messages.js';

// A signal drawn as bars per slot (SVG, no chart library) with marked slots (the plan's, or the
// good ones), now and a ready-by line; and a device's plan with its cost against running now.

export function useSchedulerMessages() {
  return useMessages(SCHEDULER_MESSAGES);
}

type T = (key: SchedulerMessageKey, vars?: Record<string, string | number>) => string;

const W = 560;
const H = 170;
const LEFT = 56;
const BOTTOM = 24;
const TOP = 10;

/** A time on the hub's clock, with the day when it is not today's. */
export function whenText(locale: Locale, timeS: number, nowS: number): string {
  const time = formatHourMinute(locale, timeS);
  return formatDayMonth(locale, timeS) === formatDayMonth(locale, nowS)
    ? time
    : `${formatDayMonth(locale, timeS)} ${time}`;
}

/** Times as a list a person reads: "01:00–03:30, 04:00–05:00". */
export function intervalsText(
  locale: Locale,
  intervals: readonly { startS: number; endS: number }[],
  nowS: number,
) {
  return intervals
    .map((iv) => `${whenText(locale, iv.startS, nowS)}–${formatHourMinute(locale, iv.endS)}`)
    .join(', ');
}

export function SignalChart(props: {
  series: Series;
  marked: readonly { startS: number; endS: number }[];
  nowS: number;
  horizonS: number;
  readyByS?: number | null;
  /** What is drawn, for the chart's name ("the signal the plan uses"). */
  what: string;
  unit: string;
  testId?: string;
}) {
  const { t, locale } = useSchedulerMessages();
  const g: ChartGeometry | null = planChart(props.series, props.marked, {
    nowS: props.nowS,
    horizonS: props.horizonS,
    width: W - LEFT,
    height: H - TOP - BOTTOM,
    readyByS: props.readyByS ?? null,
  });
  if (!g) return null;
  const digits = g.top - g.bottom < 10 ? 2 : 0;
  const ticks: number[] = [];
  const sixHoursS = 6 * 3600;
  for (let s = Math.ceil(g.fromS / sixHoursS) * sixHoursS; s < g.toS; s += sixHoursS) ticks.push(s);
  const xOf = (s: number) => LEFT + ((s - g.fromS) / (g.toS - g.fromS)) * (W - LEFT);
  const label = t('chart.label', {
    what: props.what,
    from: whenText(locale, g.fromS, props.nowS),
    to: whenText(locale, g.toS, props.nowS),
    marked: props.marked.length ? intervalsText(locale, props.marked, props.nowS) : t('chart.none'),
  });
  return (
    <svg
      class="signal-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      aria-label={label}
      data-testid={props.testId}
      data-marked={g.bars.filter((b) => b.planned > 0).length}
    >
      <text x={LEFT - 4} y={TOP + 12} text-anchor="end" class="chart-text">
        {formatNumber(locale, g.top, digits)}
      </text>
      <text x={LEFT - 4} y={H - BOTTOM} text-anchor="end" class="chart-text">
        {formatNumber(locale, g.bottom, digits)}
      </text>
      <text x={LEFT - 4} y={TOP + 30} text-anchor="end" class="chart-text">
        {props.unit}
      </text>
      <g transform={`translate(${LEFT} ${TOP})`}>
        {g.bars.map((b) => (
          <rect
            x={b.x + 0.5}
            y={b.y}
            width={Math.max(0.5, b.width - 1)}
            height={Math.max(0.5, b.height)}
            class={b.planned > 0 ? 'slot planned' : 'slot'}
          />
        ))}
      </g>
      <line x1={xOf(props.nowS)} x2={xOf(props.nowS)} y1={TOP} y2={H - BOTTOM} class="now-line" />
      <text x={xOf(props.nowS) + 3} y={TOP + 12} class="chart-text">
        {t('chart.now')}
      </text>
      {g.readyByX !== null && (
        <g>
          <line x1={LEFT + g.readyByX} x2={LEFT + g.readyByX} y1={TOP} y2={H - BOTTOM} class="ready-line" />
          <text x={LEFT + g.readyByX - 3} y={TOP + 12} text-anchor="end" class="chart-text">
            {t('plan.readyBy', { time: formatHourMinute(locale, props.readyByS!) })}
          </text>
        </g>
      )}
      {ticks.map((s) => (
        <text x={xOf(s)} y={H - 6} text-anchor="middle" class="chart-text">
          {formatHourMinute(locale, s)}
        </text>
      ))}
    </svg>
  );
}

/** A device's plan: what is wrong first (never hidden), then the hours, the cost and the chart. */
export function PlanView(props: { view: DevicePlanJson | null; smart: boolean; nowS: number }) {
  const { t, locale } = useSchedulerMessages();
  const { view, nowS } = props;
  if (!props.smart) return <p class="empty">{t('plan.none')}</p>;
  if (!view) return <p class="empty">{t('plan.notYet')}</p>;
  const { plan, signal, period } = view;
  const cost = costSummary(view, nowS);
  const pausedUntilS =
    view.pausedUntilMs !== null && view.pausedUntilMs > nowS * 1000 ? view.pausedUntilMs / 1000 : null;
  const paused = pausedUntilS !== null;
  // The hub's own words, unless said above already (no signal, paused by hand).
  const problem =
    view.problem !== null &&
    !(signal === null && view.problem.startsWith('no price')) &&
    !(paused && view.problem.startsWith('switched by hand'))
      ? view.problem
      : null;
  return (
    <div data-testid="plan">
      {paused && (
        <p class="notice" data-testid="plan-paused">
          {t('plan.paused', { time: whenText(locale, pausedUntilS!, nowS) })}
        </p>
      )}
      {signal === null && (
        <p class="notice" data-testid="plan-no-signal">
          {t('plan.noSignal')}
        </p>
      )}
      {signal !== null && view.signalStale !== null && (
        <p class="notice" data-testid="plan-stale">
          {t('plan.stale', { why: view.signalStale })}
        </p>
      )}
      {problem !== null && (
        <p class="notice" data-testid="plan-problem">
          {t('plan.problem', { problem })}
        </p>
      )}
      {plan && plan.intervals.length > 0 && (
        <p data-testid="plan-intervals">
          {t('plan.intervals', { intervals: intervalsText(locale, plan.intervals, nowS) })}
        </p>
      )}
      {plan && plan.intervals.length === 0 && period && (
        <p>{t('plan.nothingLeft', { readyBy: whenText(locale, period.readyByS, nowS) })}</p>
      )}
      {view.energy && (
        <p data-testid="plan-energy">
          {view.energy.deliveredKWh === null
            ? t('plan.energyNoMeter', { needed: formatNumber(locale, view.energy.neededKWh, 1) })
            : t('plan.energy', {
                delivered: formatNumber(locale, view.energy.deliveredKWh, 1),
                needed: formatNumber(locale, view.energy.neededKWh, 1),
              })}
        </p>
      )}
      {plan?.reason && <p class="muted">{t(`plan.reason.${plan.reason}`)}</p>}
      {plan && plan.shortS > 0 && <p class="muted">{t('plan.short', { m: Math.ceil(plan.shortS / 60) })}</p>}
      {cost && (
        <p data-testid="plan-cost">
          <strong>{costText(t, locale, cost)}</strong>
        </p>
      )}
      {signal && (
        <SignalChart
          series={signal}
          marked={plan?.intervals ?? []}
          nowS={nowS}
          horizonS={48 * 3600}
          readyByS={period?.readyByS ?? null}
          what={t('chart.plan')}
          unit={signal.unit}
          testId="plan-chart"
        />
      )}
      {signal && (
        <p class="muted">
          {t('plan.signal', { source: signal.source, time: whenText(locale, signal.receivedAtS, nowS) })}
        </p>
      )}
    </div>
  );
}

function costText(t: T, locale: Locale, cost: NonNullable<ReturnType<typeof costSummary>>): string {
  switch (cost.kind) {
    case 'pence':
      return t('plan.cost.pence', {
        planned: formatNumber(locale, cost.planned, cost.planned < 10 ? 1 : 0),
        runNow: formatNumber(locale, cost.runNow, cost.runNow < 10 ? 1 : 0),
      });
    case 'grams':
      return t('plan.cost.grams', {
        planned: formatNumber(locale, cost.planned),
        runNow: formatNumber(locale, cost.runNow),
      });
    case 'other':
      return t('plan.cost.other', {
        planned: formatNumber(locale, cost.planned, 2),
        runNow: formatNumber(locale, cost.runNow, 2),
        unit: cost.unit,
      });
    case 'score':
      return t('plan.cost.score', {
        planned: formatNumber(locale, cost.planned, 2),
        runNow: formatNumber(locale, cost.runNow, 2),
      });
  }
}
