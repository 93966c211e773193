import { useEffect, useState } from 'preact/hooks';
import type { EnergySummary } from '../../../src/api/contract.js';
import { api, type Feed } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { dayOfMonth, formatDate, formatMoney, formatNumber, formatTime, useI18n } from '../i18n.js';
import { powerFeed } from './dashboard.js';

/** Daily kWh bars for a month (each opens into its half-hours) and the month's bill by band. */
export function EnergyPage() {
  const { t, locale } = useI18n();
  const [feed, setFeed] = useState<Feed | null>();
  const [month, setMonth] = useState(() => ({
    year: new Date().getFullYear(),
    month: new Date().getMonth(),
  }));
  const [summary, setSummary] = useState<EnergySummary>();
  const [day, setDay] = useState<EnergySummary>();
  const [error, setError] = useState<string>();

  useEffect(
    () =>
      void api.feeds().then(
        (f) => setFeed(powerFeed(f) ?? null),
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => {
    if (!feed) return;
    setDay(undefined);
    api
      .energyMonth(feed.id, `${month.year}-${String(month.month + 1).padStart(2, '0')}`)
      .then(setSummary, (e: Error) => setError(e.message));
  }, [feed, month]);

  const shift = (by: number) => {
    const d = new Date(month.year, month.month + by, 1);
    setMonth({ year: d.getFullYear(), month: d.getMonth() });
  };
  const openDay = (startS: number) =>
    feed &&
    api.energySummary(feed.id, startS, startS + 86_400, true).then(setDay, (e: Error) => setError(e.message));
  const money = (minor: number) => formatMoney(locale, minor, summary?.currency ?? 'GBP');
  const monthName = new Intl.DateTimeFormat(locale === 'cy' ? 'cy-GB' : 'en-GB', {
    month: 'long',
    year: 'numeric',
  }).format(new Date(month.year, month.month, 1));

  return (
    <main class="dashboard" aria-labelledby="energy-title">
      <h1 id="energy-title">{t('energy.title')}</h1>
      <ErrorText message={error} />
      {feed === null && <p class="empty">{t('dash.noPower')}</p>}
      <div class="actions">
        <button
          type="button"
          class="secondary small"
          onClick={() => shift(-1)}
          aria-label={t('energy.previous')}
        >
          ←
        </button>
        <h2 class="month">{monthName}</h2>
        <button type="button" class="secondary small" onClick={() => shift(1)} aria-label={t('energy.next')}>
          →
        </button>
      </div>
      {summary && (
        <>
          <Card title={t('energy.daily')}>
            <Bars
              bars={daysOfMonth(month.year, month.month).map((date) => {
                const d = summary.days.find((x) => dayOfMonth(x.startS) === date);
                const kwh = d?.energyKWh ?? 0;
                return {
                  key: d?.startS ?? new Date(month.year, month.month, date).getTime() / 1000,
                  value: kwh,
                  label: t('energy.dayBar', { day: date, kwh: formatNumber(locale, kwh, 1) }),
                  text: String(date),
                };
              })}
              onPick={(startS) => void openDay(startS)}
            />
          </Card>
          {day?.halfHours && (
            <Card
              title={t('energy.halfHours', {
                day: formatDate(locale, day.startS),
              })}
            >
              <Bars
                bars={day.halfHours.map((h) => ({
                  key: h.startS,
                  value: h.energyKWh,
                  label: `${formatTime(locale, h.startS)}: ${formatNumber(locale, h.energyKWh, 2)} kWh`,
                }))}
              />
            </Card>
          )}
          <Card title={t('energy.bill', { month: monthName })}>
            <table class="table" data-testid="month-table">
              <thead>
                <tr>
                  <th scope="col">{t('energy.band')}</th>
                  <th scope="col" class="num">
                    kWh
                  </th>
                  <th scope="col" class="num">
                    {t('energy.cost')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {summary.byBand.map((b) => (
                  <tr>
                    <th scope="row">{b.name}</th>
                    <td class="num">{formatNumber(locale, b.energyKWh, 2)}</td>
                    <td class="num">{money(b.costMinor)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{t('energy.standing')}</th>
                  <td />
                  <td class="num">{money(summary.standingChargeMinor)}</td>
                </tr>
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t('energy.total')}</th>
                  <td class="num" data-testid="month-kwh">
                    {formatNumber(locale, summary.energyKWh, 2)}
                  </td>
                  <td class="num" data-testid="month-total">
                    {money(summary.totalMinor)}
                  </td>
                </tr>
              </tfoot>
            </table>
          </Card>
        </>
      )}
    </main>
  );
}

const daysOfMonth = (year: number, month: number) =>
  Array.from({ length: new Date(year, month + 1, 0).getDate() }, (_, i) => i + 1);

/** Bars as buttons (keyboard and screen readers reach each one) when they can be opened. */
function Bars(props: {
  bars: { key: number; value: number; label: string; text?: string }[];
  onPick?: (key: number) => void;
}) {
  const max = Math.max(0.001, ...props.bars.map((b) => b.value));
  return (
    <div class="bars" role="list">
      {props.bars.map((b) => {
        const bar = <span class="bar" style={{ height: `${(b.value / max) * 100}%` }} />;
        return (
          <div role="listitem" class="bar-slot">
            {props.onPick ? (
              <button
                type="button"
                class="bar-button"
                aria-label={b.label}
                title={b.label}
                onClick={() => props.onPick!(b.key)}
              >
                {bar}
              </button>
            ) : (
              <span class="bar-button" aria-label={b.label} title={b.label} role="img">
                {bar}
              </span>
            )}
            {b.text && (
              <span class="bar-text" aria-hidden="true">
                {b.text}
              </span>
            )}
          </div>
        );
      })}
    </div>
  );
}
