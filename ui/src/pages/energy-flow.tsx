import type { CostSummaryJson } from '../../../src/api/contract.js';
import { formatNumber, formatPercent, useI18n } from '../i18n.js';

type Figures = Pick<
  CostSummaryJson,
  'energyKWh' | 'solarKWh' | 'importKWh' | 'exportKWh' | 'batteryKWh' | 'selfConsumption' | 'selfSufficiency'
>;

/**
 * Where a period's energy went, as Home Assistant draws it: solar → house and grid, grid → house
 * (and battery → house). One SVG with a text alternative, and the two solar ratios beside it.
 */
export function EnergyFlow(props: { figures: Figures; testPrefix: string }) {
  const { t, locale } = useI18n();
  const f = props.figures;
  const kwh = (x: number) => formatNumber(locale, x, 2);
  const solarToHouse = Math.max(0, f.solarKWh - f.exportKWh);
  const label =
    t('energy.flowLabel', {
      solar: kwh(f.solarKWh),
      toHouse: kwh(solarToHouse),
      toGrid: kwh(f.exportKWh),
      fromGrid: kwh(f.importKWh),
    }) + (f.batteryKWh ? ` ${t('energy.batteryLabel', { kwh: kwh(f.batteryKWh) })}` : '');
  const arrow = (d: string, amount: number, x: number, y: number, cls: string) => (
    <g class={amount > 0 ? `flow ${cls}` : 'flow idle'}>
      <path d={d} marker-end="url(#flow-head)" />
      <text x={x} y={y} text-anchor="middle">
        {kwh(amount)}
      </text>
    </g>
  );
  const node = (x: number, y: number, name: string, value: number) => (
    <g class="flow-node">
      <circle cx={x} cy={y} r="34" />
      <text x={x} y={y - 4} text-anchor="middle">
        {name}
      </text>
      <text x={x} y={y + 14} text-anchor="middle" class="flow-kwh">
        {kwh(value)}
      </text>
    </g>
  );
  return (
    <div class="energy-flow">
      <svg viewBox="0 0 320 200" role="img" aria-label={label} data-testid={`${props.testPrefix}-flow`}>
        <defs>
          <marker
            id="flow-head"
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="6"
            markerHeight="6"
            orient="auto"
          >
            <path d="M0,0L10,5L0,10z" fill="currentColor" />
          </marker>
        </defs>
        {arrow('M160,70 L250,128', solarToHouse, 222, 92, 'solar')}
        {arrow('M136,70 L70,128', f.exportKWh, 92, 92, 'solar')}
        {arrow('M96,160 L214,160', f.importKWh, 155, 152, 'grid')}
        {node(148, 40, t('energy.solar'), f.solarKWh)}
        {node(60, 160, t('energy.grid'), f.importKWh - f.exportKWh)}
        {node(260, 160, t('energy.house'), f.energyKWh)}
      </svg>
      <dl class="ratios">
        <div>
          <dt>{t('energy.selfSufficiency')}</dt>
          <dd>
            <strong data-testid={`${props.testPrefix}-self-sufficiency`}>
              {formatPercent(locale, f.selfSufficiency)}
            </strong>{' '}
            {t('energy.sufficiencyText')}
          </dd>
        </div>
        <div>
          <dt>{t('energy.selfConsumption')}</dt>
          <dd>
            <strong data-testid={`${props.testPrefix}-self-consumption`}>
              {formatPercent(locale, f.selfConsumption)}
            </strong>{' '}
            {t('energy.consumptionText')}
          </dd>
        </div>
      </dl>
    </div>
  );
}
