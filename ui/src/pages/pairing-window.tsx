import { useEffect, useState } from 'preact/hooks';
import type { PairingStateView } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { formatCountdown, secondsLeft } from '../devices-model.js';
import type { LiveConnection } from '../live.js';
import { useDeviceMessages } from './device-state.js';

const TICK_MS = 1000;

// What to set on each firmware that pairs with a pairing login (its menus are in English only).
const FIRMWARES = [
  { name: 'Tasmota', key: 'pair.tasmota' },
  { name: 'Shelly', key: 'pair.shelly' },
  { name: 'OpenEVSE', key: 'pair.openevse' },
] as const;

/**
 * "Pair a device": opens the hub's pairing window (the UDP beacon EmonESP listens for; the pairing
 * login Tasmota, Shelly and OpenEVSE may use), shows the time left, sends the beacon again on
 * demand, closes it. Requests and claims appear in the prompt on top.
 */
export function PairingWindowCard(props: { live: LiveConnection }) {
  const { t } = useDeviceMessages();
  const [pairing, setPairing] = useState<PairingStateView>();
  const [nowMs, setNowMs] = useState(() => Date.now());
  const [note, setNote] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const refresh = () => void api.pairing().then(setPairing, (err: Error) => setError(err.message));
    refresh();
    const offPairing = props.live.on('pairing', (m) => setPairing(m.pairing));
    const offHello = props.live.on('hello', refresh);
    return () => {
      offPairing();
      offHello();
    };
  }, [props.live]);
  const left = secondsLeft(pairing?.windowOpenUntilMs ?? null, nowMs);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setInterval(() => setNowMs(Date.now()), TICK_MS);
    return () => clearInterval(timer);
  }, [left > 0]);
  const act = async (action: () => Promise<unknown>, done?: string) => {
    setError(undefined);
    setNote(undefined);
    try {
      const answer = await action();
      if (isPairingState(answer)) setPairing(answer);
      setNowMs(Date.now());
      setNote(done);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title={t('pair.title')}>
      <p>{t('pair.text')}</p>
      {left > 0 ? (
        <>
          <p class="pairing-open" data-testid="pairing-left">
            {t('pair.openUntil', { left: formatCountdown(left) })}
          </p>
          <div class="actions">
            <button type="button" onClick={() => void act(api.sendBeacon, t('pair.beaconSent'))}>
              {t('pair.beacon')}
            </button>
            <button
              type="button"
              class="secondary"
              onClick={() => void act(() => api.setPairingWindow(false))}
            >
              {t('pair.close')}
            </button>
          </div>
        </>
      ) : (
        <button type="button" onClick={() => void act(() => api.setPairingWindow(true))}>
          {t('pair.open')}
        </button>
      )}
      <p role="status">{note ?? ''}</p>
      {error && <ErrorText message={error} />}
      <p>{t('pair.claims')}</p>
      <ul class="pair-firmwares">
        {FIRMWARES.map(({ name, key }) => (
          <li>
            <strong>{name}</strong>: {t(key, { host: location.hostname })}
          </li>
        ))}
      </ul>
      <p class="muted">{t('pair.manual')}</p>
    </Card>
  );
}

function isPairingState(value: unknown): value is PairingStateView {
  return typeof value === 'object' && value !== null && 'windowOpenUntilMs' in value;
}
