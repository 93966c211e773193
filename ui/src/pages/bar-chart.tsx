import { formatNumber, useI18n } from '../i18n.js';

type Bar = { key: number; value: number; label: string; text?: string; open?: boolean; current?: boolean };

/** The scale's top: 1, 2 or 5 × a power of ten at or above the largest value, so ticks read well. */
export function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].find((m) => m * power >= value * (1 - 1e-9)) ?? 10) * power;
}

/**
 * kWh bars with a kWh scale; bars are buttons (keyboard and screen readers reach each one) when
 * they can be opened, at least 24 px wide so a thumb can pick a day (the month scrolls on a phone).
 */
export function Bars(props: {
  bars: Bar[];
  onPick?: (key: number) => void;
  axis?: 'time';
  /** Values are money in minor units, the scale written with this; else kWh. */
  money?: (minor: number) => string;
}) {
  const { locale } = useI18n();
  const top = niceCeil(Math.max(...props.bars.map((b) => b.value)));
  const kwh = (v: number) => formatNumber(locale, v, top < 1 ? 2 : 1);
  const scale = props.money ?? kwh;
  return (
    <div class={props.axis === 'time' ? 'bar-chart time-axis' : 'bar-chart'}>
      <div class="bar-scale" data-testid="bar-scale" aria-hidden="true">
        <span>{props.money ? props.money(top) : `${kwh(top)} kWh`}</span>
        <span>{scale(top / 2)}</span>
        <span>{props.money ? props.money(0) : 0}</span>
      </div>
      <div class="bars-scroll">
        <div class={props.onPick ? 'bars pickable' : 'bars'} role="list">
          {props.bars.map((b) => {
            const bar = <span class="bar" style={{ height: `${(Math.max(0, b.value) / top) * 100}%` }} />;
            return (
              <div role="listitem" class="bar-slot">
                {props.onPick ? (
                  <button
                    type="button"
                    class="bar-button"
                    aria-label={b.label}
                    aria-pressed={b.current ? 'true' : undefined}
                    title={b.label}
                    disabled={!b.open}
                    onClick={() => props.onPick!(b.key)}
                  >
                    {bar}
                  </button>
                ) : (
                  <span class="bar-button" aria-label={b.label} title={b.label} role="img">
                    {bar}
                  </span>
                )}
                {b.text !== undefined && (
                  <span class="bar-text" aria-hidden="true">
                    {b.text}
                  </span>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
