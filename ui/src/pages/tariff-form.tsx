import { useEffect, useState } from 'preact/hooks';
import type { TariffBandJson, TariffJson } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { useI18n } from '../i18n.js';
import { fromFormPrice, priceUnitOf, toFormPrice } from '../price-units.js';

/** Flat or time-of-use bands, standing charge, currency and VAT; costs on the dashboard follow it. */
export function TariffForm() {
  const { t } = useI18n();
  const [tariff, setTariff] = useState<TariffJson>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  useEffect(() => void api.tariff().then(setTariff, (err: Error) => setError(err.message)), []);
  if (!tariff) return null;
  const num = (e: Event) => Number((e.target as HTMLInputElement).value);
  const unit = priceUnitOf(tariff.currency);
  const price = (e: Event) => fromFormPrice(unit, num(e));
  const text = (e: Event) => (e.target as HTMLInputElement).value;

  type List = 'bands' | 'exportBands';
  const exports = tariff.exportBands ?? [];
  const listOf = (list: List) => (list === 'bands' ? tariff.bands : exports);
  const band = (list: List, i: number, change: Partial<TariffBandJson>) =>
    setTariff({ ...tariff, [list]: listOf(list).map((b, k) => (k === i ? { ...b, ...change } : b)) });
  // Import bands, or export bands (what the grid pays for exported energy, no VAT).
  const bandFields = (list: List) => {
    const isExport = list === 'exportBands';
    return listOf(list).map((b, i, all) => (
      <fieldset class="inline-form">
        <legend class="visually-hidden">{b.name}</legend>
        <label>
          {t(isExport ? 'tariff.exportBand' : 'tariff.band')}
          <input value={b.name} required onInput={(e) => band(list, i, { name: text(e) })} />
        </label>
        <label>
          {t('tariff.start')}
          <input type="time" value={b.start} required onInput={(e) => band(list, i, { start: text(e) })} />
        </label>
        <label>
          {t('tariff.end')}
          <input type="time" value={b.end} required onInput={(e) => band(list, i, { end: text(e) })} />
        </label>
        <label>
          {t(isExport ? 'tariff.exportPrice' : 'tariff.price', { unit: unit.symbol })}
          <input
            type="number"
            step="any"
            value={toFormPrice(unit, b.priceMinorPerKWh)}
            onInput={(e) => band(list, i, { priceMinorPerKWh: price(e) })}
          />
        </label>
        {(isExport || all.length > 1) && (
          <button
            type="button"
            class="secondary small"
            onClick={() => setTariff({ ...tariff, [list]: all.filter((_b, k) => k !== i) })}
          >
            {t('inputs.remove')}
          </button>
        )}
      </fieldset>
    ));
  };
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      setTariff(await api.setTariff(tariff));
      setSaved(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <Card title={t('tariff.title')}>
      <form class="tariff" onSubmit={save}>
        <div class="inline-form">
          <label>
            {t('tariff.currency')}
            <input
              value={tariff.currency}
              maxLength={3}
              size={4}
              onInput={(e) => setTariff({ ...tariff, currency: text(e).toUpperCase() })}
            />
          </label>
          <label>
            {t('tariff.standing', { unit: unit.symbol })}
            <input
              type="number"
              step="any"
              min="0"
              value={toFormPrice(unit, tariff.standingChargeMinorPerDay)}
              onInput={(e) => setTariff({ ...tariff, standingChargeMinorPerDay: price(e) })}
            />
          </label>
          <label>
            {t('tariff.vat')}
            <input
              type="number"
              step="any"
              min="0"
              max="100"
              value={tariff.vatPercent}
              onInput={(e) => setTariff({ ...tariff, vatPercent: num(e) })}
            />
          </label>
        </div>
        {bandFields('bands')}
        <label class="check">
          <input
            type="checkbox"
            checked={exports.length > 0}
            onChange={(e) =>
              setTariff({
                ...tariff,
                exportBands: (e.target as HTMLInputElement).checked
                  ? [{ name: 'Export', start: '00:00', end: '00:00', priceMinorPerKWh: 0 }]
                  : [],
              })
            }
          />{' '}
          {t('tariff.hasExport')}
        </label>
        {bandFields('exportBands')}
        <div class="actions">
          <button
            type="button"
            class="secondary"
            onClick={() =>
              setTariff({
                ...tariff,
                bands: [
                  ...tariff.bands,
                  {
                    name: `Band ${tariff.bands.length + 1}`,
                    start: '00:00',
                    end: '00:00',
                    priceMinorPerKWh: 0,
                  },
                ],
              })
            }
          >
            {t('tariff.addBand')}
          </button>
          {exports.length > 0 && (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                setTariff({
                  ...tariff,
                  exportBands: [
                    ...exports,
                    {
                      name: `Export ${exports.length + 1}`,
                      start: '00:00',
                      end: '00:00',
                      priceMinorPerKWh: 0,
                    },
                  ],
                })
              }
            >
              {t('tariff.addExportBand')}
            </button>
          )}
          <button type="submit">{t('tariff.save')}</button>
          {saved && <span role="status">{t('inputs.saved')}</span>}
        </div>
        <ErrorText message={error} />
      </form>
    </Card>
  );
}
