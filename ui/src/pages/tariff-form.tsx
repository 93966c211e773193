import { useEffect, useState } from 'preact/hooks';
import type { TariffJson } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { useI18n } from '../i18n.js';

/** Flat or time-of-use bands, standing charge, currency and VAT; costs on the dashboard follow it. */
export function TariffForm() {
  const { t } = useI18n();
  const [tariff, setTariff] = useState<TariffJson>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);
  useEffect(() => void api.tariff().then(setTariff, (err: Error) => setError(err.message)), []);
  if (!tariff) return null;

  const band = (i: number, change: Partial<TariffJson['bands'][number]>) =>
    setTariff({ ...tariff, bands: tariff.bands.map((b, k) => (k === i ? { ...b, ...change } : b)) });
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
  const num = (e: Event) => Number((e.target as HTMLInputElement).value);
  const text = (e: Event) => (e.target as HTMLInputElement).value;

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
            {t('tariff.standing')}
            <input
              type="number"
              step="any"
              min="0"
              value={tariff.standingChargeMinorPerDay}
              onInput={(e) => setTariff({ ...tariff, standingChargeMinorPerDay: num(e) })}
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
        {tariff.bands.map((b, i) => (
          <fieldset class="inline-form">
            <legend class="visually-hidden">{b.name}</legend>
            <label>
              {t('tariff.band')}
              <input value={b.name} required onInput={(e) => band(i, { name: text(e) })} />
            </label>
            <label>
              {t('tariff.start')}
              <input type="time" value={b.start} required onInput={(e) => band(i, { start: text(e) })} />
            </label>
            <label>
              {t('tariff.end')}
              <input type="time" value={b.end} required onInput={(e) => band(i, { end: text(e) })} />
            </label>
            <label>
              {t('tariff.price')}
              <input
                type="number"
                step="any"
                value={b.priceMinorPerKWh}
                onInput={(e) => band(i, { priceMinorPerKWh: num(e) })}
              />
            </label>
            {tariff.bands.length > 1 && (
              <button
                type="button"
                class="secondary small"
                onClick={() => setTariff({ ...tariff, bands: tariff.bands.filter((_b, k) => k !== i) })}
              >
                {t('inputs.remove')}
              </button>
            )}
          </fieldset>
        ))}
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
          <button type="submit">{t('tariff.save')}</button>
          {saved && <span role="status">{t('inputs.saved')}</span>}
        </div>
        <ErrorText message={error} />
      </form>
    </Card>
  );
}
