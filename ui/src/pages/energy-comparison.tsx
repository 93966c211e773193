import type { ComparisonJson, EnergyComparison } from '../../../src/api/contract.js';
import { formatDayMonth, formatMonthYear, formatNumber, tag, useI18n, type MessageKey } from '../i18n.js';

/**
 * This week so far against the same days and hours last week, and this month so far against the
 * same dates a year before: kWh used and import cost, and the difference in kWh, money and %.
 */
export function Comparisons(props: { data: EnergyComparison }) {
  const { t, locale } = useI18n();
  const { week, month } = props.data;
  const range = (p: { startS: number; endS: number }) => ({
    from: formatDayMonth(locale, p.startS),
    to: formatDayMonth(locale, p.endS - 1),
  });
  const monthOf = (s: number) => formatMonthYear(locale, s);
  return (
    <>
      <Compared
        testId="compare-week"
        c={week}
        currency={props.data.currency}
        title={t('compare.week', range(week.current))}
        heads={['compare.thisWeek', 'compare.lastWeek']}
        earlier={t('compare.lastWeekDates', range(week.previous))}
      />
      <Compared
        testId="compare-month"
        c={month}
        currency={props.data.currency}
        title={t('compare.month', {
          month: monthOf(month.current.startS),
          before: monthOf(month.previous.startS),
        })}
        heads={['compare.thisMonth', 'compare.yearBefore']}
        earlier={monthOf(month.previous.startS)}
      />
    </>
  );
}

function Compared(props: {
  testId: string;
  c: ComparisonJson;
  currency: string;
  title: string;
  heads: [MessageKey, MessageKey];
  /** The earlier period in words, for "no data for …". */
  earlier: string;
}) {
  const { t, locale } = useI18n();
  const { current, previous, change } = props.c;
  const money = (minor: number, sign = false) =>
    new Intl.NumberFormat(tag(locale), {
      style: 'currency',
      currency: props.currency,
      signDisplay: sign ? 'exceptZero' : 'auto',
    }).format(minor / 100);
  const kwh = (x: number, sign = false) => `${sign && x > 0 ? '+' : ''}${formatNumber(locale, x, 1)} kWh`;
  const pct = (x: number | null) =>
    x === null
      ? ''
      : ` (${new Intl.NumberFormat(tag(locale), { style: 'percent', signDisplay: 'exceptZero', maximumFractionDigits: 0 }).format(x / 100)})`;
  const hasPrevious = previous.daysWithData > 0;
  return (
    <section class="comparison" data-testid={props.testId}>
      <table class="table figures">
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <td />
            <th scope="col" class="num">
              {t(props.heads[0])}
            </th>
            {hasPrevious && (
              <th scope="col" class="num">
                {t(props.heads[1])}
              </th>
            )}
            {change && (
              <th scope="col" class="num">
                {t('compare.change')}
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">{t('energy.used')}</th>
            <td class="num">{kwh(current.energyKWh)}</td>
            {hasPrevious && <td class="num">{kwh(previous.energyKWh)}</td>}
            {change && (
              <td class="num" data-testid={`${props.testId}-kwh-change`}>
                {kwh(change.energyKWh, true) + pct(change.energyPercent)}
              </td>
            )}
          </tr>
          <tr>
            <th scope="row">{t('compare.importCost')}</th>
            <td class="num">{money(current.importCostMinor)}</td>
            {hasPrevious && <td class="num">{money(previous.importCostMinor)}</td>}
            {change && (
              <td class="num" data-testid={`${props.testId}-cost-change`}>
                {money(change.importCostMinor, true) + pct(change.importCostPercent)}
              </td>
            )}
          </tr>
        </tbody>
      </table>
      {!hasPrevious && <p class="empty">{t('compare.noData', { period: props.earlier })}</p>}
      {hasPrevious && previous.daysWithData < previous.days && (
        <p class="empty">{t('compare.partial', { days: previous.daysWithData, of: previous.days })}</p>
      )}
    </section>
  );
}
