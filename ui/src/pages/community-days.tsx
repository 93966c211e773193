import { useEffect, useState } from 'preact/hooks';
import type { CommunityDayJson, CommunityDaysJson } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { ErrorText } from '../components.js';
import { formatDayMonth, formatNumber, useMessages, type Locale } from '../i18n.js';
import { niceCeil } from './bar-chart.js';
import { COMMUNITY_MESSAGES, type CommunityMessageKey } from './community-messages.js';

// The Community page's past days (GET /api/v1/community/days): river generation against community
// use per local day as paired bars with the household's share above each pair, and the same
// figures in a table (what a screen reader and a narrow phone read), each missing one with why.

type T = (key: CommunityMessageKey, vars?: Record<string, string | number>) => string;

const DAYS = 7;
const W = 560;
const H = 190;
const LEFT = 56;
const TOP = 26;
const BOTTOM = 24;

const hasAny = (d: CommunityDayJson) =>
  d.hydroKWh !== null || d.communityKWh !== null || d.householdKWh !== null;

export function PastDaysCard(props: { nowS: number }) {
  const { t, locale } = useMessages(COMMUNITY_MESSAGES);
  const [view, setView] = useState<CommunityDaysJson>();
  const [error, setError] = useState<string>();
  // Once a minute at most (the page reloads its signals that often): whole days change slowly.
  const minute = Math.floor(props.nowS / 60);
  useEffect(() => {
    api.communityDays(DAYS).then(
      (v) => {
        setView(v);
        setError(undefined);
      },
      (err: Error) => setError(err.message),
    );
  }, [minute]);
  return (
    <section class="card wide" aria-label={t('days.title')} data-testid="past-days">
      <h2>{t('days.title')}</h2>
      <p class="muted">{t('days.help')}</p>
      <ErrorText message={error} />
      {!view && !error && <p class="muted">{t('days.loading')}</p>}
      {view &&
        (view.days.some(hasAny) ? (
          <>
            <DaysChart days={view.days} t={t} locale={locale} />
            <DaysTable days={view.days} t={t} locale={locale} nowS={props.nowS} />
            {view.goodSignal && view.feeds.target !== null && (
              <p class="muted">{t('days.goodSignal', { signal: view.goodSignal })}</p>
            )}
          </>
        ) : (
          <p class="empty" data-testid="past-days-empty">
            {t('days.empty', { why: t('days.emptyWhy') })}
          </p>
        ))}
    </section>
  );
}

const kWh = (locale: Locale, v: number) => formatNumber(locale, v, v < 10 ? 1 : 0);
const hoursText = (locale: Locale, h: number) => formatNumber(locale, h, Number.isInteger(h) ? 0 : 1);
const pct = (locale: Locale, v: number) => `${formatNumber(locale, v, v < 10 ? 1 : 0)} %`;

function DaysChart(props: { days: CommunityDayJson[]; t: T; locale: Locale }) {
  const { days, t, locale } = props;
  const top = niceCeil(Math.max(0, ...days.flatMap((d) => [d.hydroKWh ?? 0, d.communityKWh ?? 0])));
  const groupW = (W - LEFT) / days.length;
  const barW = Math.min(24, (groupW - 8) / 2);
  const yOf = (v: number) => TOP + (1 - v / top) * (H - TOP - BOTTOM);
  const bar = (v: number | null, x: number, cls: string) =>
    v === null ? null : (
      <rect x={x} y={yOf(v)} width={barW} height={Math.max(0.5, yOf(0) - yOf(v))} class={cls} />
    );
  return (
    <svg
      class="signal-chart"
      viewBox={`0 0 ${W} ${H}`}
      role="img"
      data-testid="past-days-chart"
      aria-label={t('days.chart', {
        from: formatDayMonth(locale, days[0]!.startS),
        to: formatDayMonth(locale, days[days.length - 1]!.startS),
      })}
    >
      <text x={LEFT - 4} y={TOP + 10} text-anchor="end" class="chart-text">
        {kWh(locale, top)}
      </text>
      <text x={LEFT - 4} y={H - BOTTOM} text-anchor="end" class="chart-text">
        0
      </text>
      <text x={LEFT - 4} y={TOP + 28} text-anchor="end" class="chart-text">
        kWh
      </text>
      <rect x={LEFT} y={4} width={12} height={12} class="slot planned" />
      <text x={LEFT + 16} y={15} class="chart-text">
        {t('days.hydro')}
      </text>
      <rect x={LEFT + 110} y={4} width={12} height={12} class="slot" />
      <text x={LEFT + 126} y={15} class="chart-text">
        {t('days.community')}
      </text>
      {days.map((d, i) => {
        const x = LEFT + i * groupW + (groupW - 2 * barW) / 2;
        return (
          <g>
            {bar(d.hydroKWh, x, 'slot planned')}
            {bar(d.communityKWh, x + barW, 'slot')}
            {d.householdSharePct !== null && (
              <text
                x={x + barW}
                y={yOf(Math.max(d.hydroKWh ?? 0, d.communityKWh ?? 0)) - 3}
                text-anchor="middle"
                class="chart-text"
              >
                {pct(locale, d.householdSharePct)}
              </text>
            )}
            <text x={x + barW} y={H - 6} text-anchor="middle" class="chart-text">
              {formatDayMonth(locale, d.startS)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** A figure, or "–" with why; with the hours it covers when that is less than the day. */
function Figure(props: {
  value: number | null;
  why: string | undefined;
  hours?: number;
  of: number;
  t: T;
  locale: Locale;
  text: (v: number) => string;
}) {
  const { t } = props;
  if (props.value === null)
    return <span class="muted">– ({t(`why.${props.why ?? 'no-data'}` as CommunityMessageKey)})</span>;
  const partial = props.hours !== undefined && props.hours < props.of - 1e-9;
  // One span: on a phone the cell is a flex row of its label and this.
  return (
    <span>
      {props.text(props.value)}
      {partial && (
        <span class="muted">
          {' '}
          (
          {t('days.hoursOf', {
            hours: hoursText(props.locale, props.hours!),
            of: hoursText(props.locale, props.of),
          })}
          )
        </span>
      )}
    </span>
  );
}

function DaysTable(props: { days: CommunityDayJson[]; t: T; locale: Locale; nowS: number }) {
  const { t, locale } = props;
  const rows = [...props.days].reverse(); // today first: what a phone shows without scrolling
  return (
    <table class="table days-table" data-testid="past-days-table">
      <thead>
        <tr>
          <th scope="col">{t('days.day')}</th>
          <th scope="col">{t('days.hydro')} (kWh)</th>
          <th scope="col">{t('days.community')} (kWh)</th>
          <th scope="col">{t('days.household')} (kWh)</th>
          <th scope="col">{t('days.share')}</th>
          <th scope="col">{t('days.good')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => {
          const today = d.untilS < d.endS;
          const of = (d.untilS - d.startS) / 3600;
          const energy = (v: number) => kWh(locale, v);
          const share = (v: number) => pct(locale, v);
          return (
            <tr data-day={d.startS}>
              <th scope="row">{today ? t('days.today') : formatDayMonth(locale, d.startS)}</th>
              <td class="num" data-figure="hydro" data-label={`${t('days.hydro')} (kWh)`}>
                <Figure
                  value={d.hydroKWh}
                  why={d.why.hydro}
                  hours={d.hydroHours}
                  of={of}
                  t={t}
                  locale={locale}
                  text={energy}
                />
              </td>
              <td class="num" data-figure="community" data-label={`${t('days.community')} (kWh)`}>
                <Figure
                  value={d.communityKWh}
                  why={d.why.community}
                  hours={d.communityHours}
                  of={of}
                  t={t}
                  locale={locale}
                  text={energy}
                />
              </td>
              <td class="num" data-figure="household" data-label={`${t('days.household')} (kWh)`}>
                <Figure
                  value={d.householdKWh}
                  why={d.why.household}
                  hours={d.householdHours}
                  of={of}
                  t={t}
                  locale={locale}
                  text={energy}
                />
              </td>
              <td class="num" data-figure="share" data-label={t('days.share')}>
                <Figure
                  value={d.householdSharePct}
                  why={d.why.share}
                  of={of}
                  t={t}
                  locale={locale}
                  text={share}
                />
              </td>
              <td class="num" data-figure="good" data-label={t('days.good')}>
                <Figure value={d.goodUsePct} why={d.why.goodUse} of={of} t={t} locale={locale} text={share} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
