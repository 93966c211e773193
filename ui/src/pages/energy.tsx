import { useEffect, useState } from 'preact/hooks';
import type { CostSummaryJson, EnergyComparison, EnergySummary } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import {
  dayOfMonth,
  formatDayMonth,
  formatHourMinute,
  formatMoney,
  formatNumber,
  hubToday,
  tag,
  useI18n,
} from '../i18n.js';
import { Bars } from './bar-chart.js';
import { Comparisons } from './energy-comparison.js';
import { EnergyFlow } from './energy-flow.js';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Daily kWh bars for a month of the hub's calendar (each past day opens into its half-hours and its
 * bill), the month's bill by band, and the year's figures; solar ratios for each.
 */
export function EnergyPage() {
  const { t, locale } = useI18n();
  const today = hubToday();
  const [month, setMonth] = useState(() => ({ year: today.year, month: today.month }));
  const [summary, setSummary] = useState<EnergySummary>();
  const [year, setYear] = useState<EnergySummary>();
  const [day, setDay] = useState<EnergySummary>();
  const [picked, setPicked] = useState<number>();
  const [error, setError] = useState<string>();
  const [compare, setCompare] = useState<EnergyComparison>();
  const [showCost, setShowCost] = useState(false);

  useEffect(() => {
    setDay(undefined);
    setPicked(undefined);
    api.energyPeriod(`${month.year}-${pad(month.month)}`).then(setSummary, (e: Error) => setError(e.message));
  }, [month]);
  useEffect(
    () => void api.energyPeriod(String(month.year)).then(setYear, (e: Error) => setError(e.message)),
    [month.year],
  );

  useEffect(() => void api.energyCompare().then(setCompare, (e: Error) => setError(e.message)), []);

  const shift = (by: number) => {
    const m = month.year * 12 + month.month - 1 + by;
    setMonth({ year: Math.floor(m / 12), month: (m % 12) + 1 });
  };
  const openDay = (date: number) => {
    setPicked(date);
    api
      .energyPeriod(`${month.year}-${pad(month.month)}-${pad(date)}`, true)
      .then(setDay, (e: Error) => setError(e.message));
  };
  const money = (minor: number) => formatMoney(locale, minor, summary?.currency ?? 'GBP');
  const monthName = new Intl.DateTimeFormat(tag(locale), {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(Date.UTC(month.year, month.month - 1, 1));
  const isFuture = (date: number) =>
    month.year * 10_000 + month.month * 100 + date > today.year * 10_000 + today.month * 100 + today.day;
  const solarHome = summary && (summary.feeds.solar !== undefined || summary.feeds.export !== undefined);

  return (
    <main class="dashboard" aria-labelledby="energy-title">
      <h1 id="energy-title">{t('energy.title')}</h1>
      <ErrorText message={error} />
      {summary?.feedId === null && <p class="empty">{t('dash.noPower')}</p>}
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
            <div class="actions" role="group" aria-label={t('energy.show')}>
              <button
                type="button"
                class="secondary small"
                aria-pressed={showCost ? 'false' : 'true'}
                onClick={() => setShowCost(false)}
              >
                kWh
              </button>
              <button
                type="button"
                class="secondary small"
                aria-pressed={showCost ? 'true' : 'false'}
                onClick={() => setShowCost(true)}
              >
                {t('energy.showCost')}
              </button>
            </div>
            {showCost && <p class="empty">{t('energy.costNote')}</p>}
            <Bars
              money={showCost ? money : undefined}
              bars={Array.from(
                { length: new Date(Date.UTC(month.year, month.month, 0)).getUTCDate() },
                (_, i) => {
                  const date = i + 1;
                  const d = summary.days.find((x) => dayOfMonth(x.startS) === date);
                  const kwh = d?.energyKWh ?? 0;
                  const label = isFuture(date)
                    ? t('energy.future', { day: date })
                    : !d
                      ? t('energy.noData', { day: date })
                      : showCost
                        ? t('energy.dayCost', { day: date, cost: money(d.costMinor) })
                        : t('energy.dayBar', { day: date, kwh: formatNumber(locale, kwh, 1) });
                  return {
                    key: date,
                    value: showCost ? (d?.costMinor ?? 0) : kwh,
                    label,
                    text: String(date),
                    open: !!d,
                    current: date === picked,
                  };
                },
              )}
              onPick={openDay}
            />
          </Card>
          {day?.halfHours && (
            <Card title={t('energy.halfHours', { day: formatDayMonth(locale, day.startS) })}>
              <Bars
                bars={Array.from({ length: Math.round((day.endS - day.startS) / 1800) }, (_, i) => {
                  // Every half-hour of the day has its place (empty without data): a true time axis,
                  // labelled every six hours.
                  const startS = day.startS + i * 1800;
                  const kwh = day.halfHours!.find((h) => h.startS === startS)?.energyKWh ?? 0;
                  const time = formatHourMinute(locale, startS);
                  return {
                    key: startS,
                    value: kwh,
                    label: `${time}: ${formatNumber(locale, kwh, 2)} kWh`,
                    text: i % 12 === 0 ? time : '',
                  };
                })}
                axis="time"
              />
              <Bill
                figures={day}
                title={t('energy.dayTotal', { day: formatDayMonth(locale, day.startS) })}
                testPrefix="day"
                money={money}
              />
              {solarHome && <EnergyFlow figures={day} testPrefix="day" />}
            </Card>
          )}
          <Card title={t('energy.bill', { month: monthName })}>
            <Bill figures={summary} testPrefix="month" money={money} />
            {solarHome && <EnergyFlow figures={summary} testPrefix="month" />}
          </Card>
          {compare && month.year === today.year && month.month === today.month && (
            <Card title={t('compare.title')}>
              <Comparisons data={compare} />
            </Card>
          )}
          {year && (
            <Card title={t('energy.year', { year: month.year })}>
              <Bill figures={year} testPrefix="year" money={money} />
              {solarHome && <EnergyFlow figures={year} testPrefix="year" />}
            </Card>
          )}
        </>
      )}
    </main>
  );
}

/** A period's bill: import by band, standing charge for the days with data, export credit, total. */
function Bill(props: {
  figures: CostSummaryJson;
  testPrefix: string;
  money: (minor: number) => string;
  title?: string;
}) {
  const { t, locale } = useI18n();
  const f = props.figures;
  const kwh = (x: number) => formatNumber(locale, x, 2);
  return (
    <table class="table figures" data-testid={`${props.testPrefix}-table`}>
      {props.title && <caption>{props.title}</caption>}
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
        {f.byBand.map((b) => (
          <tr>
            <th scope="row">{b.name}</th>
            <td class="num">{kwh(b.energyKWh)}</td>
            <td class="num">{props.money(b.costMinor)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">{t('energy.standingDays', { days: f.standingDays })}</th>
          <td />
          <td class="num">{props.money(f.standingChargeMinor)}</td>
        </tr>
        {f.exportKWh > 0 && (
          <tr>
            <th scope="row">{t('energy.exportCredit')}</th>
            <td class="num">{kwh(f.exportKWh)}</td>
            <td class="num">−{props.money(f.exportCreditMinor)}</td>
          </tr>
        )}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t('energy.total')}</th>
          <td class="num" data-testid={`${props.testPrefix}-import`}>
            {kwh(f.importKWh)}
          </td>
          <td class="num" data-testid={`${props.testPrefix}-total`}>
            {props.money(f.totalMinor)}
          </td>
        </tr>
        <tr>
          <th scope="row">{t('energy.used')}</th>
          <td class="num" data-testid={`${props.testPrefix}-kwh`}>
            {kwh(f.energyKWh)}
          </td>
          <td />
        </tr>
        {f.solarKWh > 0 && (
          <tr>
            <th scope="row">{t('energy.generated')}</th>
            <td class="num">{kwh(f.solarKWh)}</td>
            <td />
          </tr>
        )}
      </tfoot>
    </table>
  );
}
