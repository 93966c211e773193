import { useState } from 'preact/hooks';
import type { ControlStatusView, DesiredStateView, DeviceView } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { ErrorText } from '../components.js';
import { switchShown } from '../devices-model.js';
import {
  formatDayMonth,
  formatNumber,
  formatTime,
  useMessages,
  type Locale,
  type MessageKey,
} from '../i18n.js';
import { DEVICE_MESSAGES, type DeviceMessageKey } from './devices-messages.js';

// A device's state as figures (online, relays, power, last seen) and, for admins, its controls:
// an on/off switch per relay and a charger's current and energy limits. What a control asked for
// shows as pending until the device's own report confirms it (ControlStatusView from /ws).

type T = (key: DeviceMessageKey, vars?: Record<string, string | number>) => string;

export function useDeviceMessages() {
  return useMessages(DEVICE_MESSAGES);
}

export function lastSeenText(locale: Locale, t: T, lastSeenMs: number | null): string {
  if (lastSeenMs === null) return t('devices.never');
  const s = lastSeenMs / 1000;
  return `${formatDayMonth(locale, s)} ${formatTime(locale, s)}`;
}

/** Online, power, energy, charger and last seen, as a definition list. */
export function DeviceFigures(props: { device: DeviceView }) {
  const { t, locale } = useDeviceMessages();
  const { state } = props.device;
  const online = state.online === null ? 'unheard' : state.online ? 'online' : 'offline';
  return (
    <dl class="device-figures">
      <dt class="visually-hidden">{t('detail.state')}</dt>
      <dd>
        <span class={`badge ${online}`} data-testid="online">
          {t(`devices.${online}`)}
        </span>
      </dd>
      {state.powerW !== null && [
        <dt>{t('devices.power')}</dt>,
        <dd data-testid="power">{t('devices.powerW', { w: formatNumber(locale, state.powerW) })}</dd>,
      ]}
      {state.energyKWh !== null && [
        <dt>{t('devices.energy')}</dt>,
        <dd>{t('devices.energyKWh', { kwh: formatNumber(locale, state.energyKWh, 2) })}</dd>,
      ]}
      {state.ev && [
        <dt>{t('ev.charger')}</dt>,
        <dd data-testid="ev">
          {t(
            state.ev.charging
              ? 'ev.charging'
              : state.ev.vehicleConnected
                ? 'ev.connected'
                : 'ev.notConnected',
          )}
          {state.ev.sessionEnergyKWh !== null &&
            ` · ${t('ev.session', { kwh: formatNumber(locale, state.ev.sessionEnergyKWh, 2) })}`}
        </dd>,
      ]}
      <dt>{t('devices.lastSeen')}</dt>
      <dd data-testid="last-seen">{lastSeenText(locale, t, state.lastSeenMs)}</dd>
    </dl>
  );
}

/** Each relay's state; for admins a switch, with the last request's status beside it. */
export function DeviceControls(props: { device: DeviceView; isAdmin: boolean }) {
  const { t } = useDeviceMessages();
  const { device } = props;
  const [asked, setAsked] = useState<ControlStatusView>();
  const [error, setError] = useState<string>();
  const canSwitch = device.capabilities.includes('switch');
  const isCharger = device.capabilities.includes('evCharging');
  // The hub's own report wins once it has one as new as what this page asked.
  const control =
    device.control && (!asked || device.control.requestedAtMs >= asked.requestedAtMs)
      ? device.control
      : asked;
  const shownDevice = { ...device, control: control ?? null };
  const send = async (desired: DesiredStateView) => {
    setError(undefined);
    try {
      setAsked(await api.setDeviceState(device.id, desired));
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const relays = canSwitch ? Math.max(1, device.state.relays.length) : 0;
  return (
    <div class="device-controls">
      {Array.from({ length: relays }, (_, relay) => {
        const { shown, pending } = switchShown(shownDevice, relay);
        const label = relays > 1 ? t('devices.relayN', { n: relay + 1 }) : t('devices.relay');
        const text = t(`devices.${shown}`);
        return props.isAdmin ? (
          <button
            type="button"
            role="switch"
            class={`switch ${shown}`}
            aria-checked={shown === 'on'}
            aria-busy={pending}
            aria-label={t('devices.switchOf', {
              name: device.name,
              relay: relays > 1 ? relay + 1 : '',
            }).trim()}
            onClick={() => void send({ on: shown !== 'on', relay })}
          >
            <span aria-hidden="true">{text}</span>
          </button>
        ) : (
          <p class="relay-state" data-testid="relay-state">
            {label}: <strong>{text}</strong>
          </p>
        );
      })}
      {props.isAdmin && isCharger && <ChargerLimits device={device} send={send} />}
      {props.isAdmin && (canSwitch || isCharger) && <ControlStatus control={control} />}
      {error && <ErrorText message={error} />}
    </div>
  );
}

function ControlStatus(props: { control: ControlStatusView | undefined | null }) {
  const { t } = useDeviceMessages();
  const c = props.control;
  const text = !c
    ? ''
    : c.status === 'pending' || c.status === 'confirmed'
      ? t(`control.${c.status}`)
      : t(`control.${c.status}`, { reason: c.reason ?? t('control.noReason') });
  return (
    <p role="status" class={`control-status ${c?.status ?? ''}`} data-testid="control-status">
      {text}
    </p>
  );
}

function ChargerLimits(props: { device: DeviceView; send: (d: DesiredStateView) => Promise<void> }) {
  const { t } = useDeviceMessages();
  const ev = props.device.state.ev;
  const [currentA, setCurrentA] = useState(ev?.currentLimitA?.toString() ?? '');
  const [energyKWh, setEnergyKWh] = useState(ev?.energyLimitKWh?.toString() ?? '');
  const value = (set: (v: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);
  return (
    <div class="charger-limits">
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void props.send({ currentLimitA: Number(currentA) });
        }}
      >
        <label>
          {t('ev.currentLimit')}
          <input
            type="number"
            min={6}
            max={80}
            step={1}
            required
            value={currentA}
            onInput={value(setCurrentA)}
          />
        </label>
        <button type="submit" class="secondary">
          {t('ev.setCurrent')}
        </button>
      </form>
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void props.send({ energyLimitKWh: energyKWh.trim() === '' ? null : Number(energyKWh) });
        }}
      >
        <label>
          {t('ev.energyLimit')}
          <input type="number" min={0.1} step={0.1} value={energyKWh} onInput={value(setEnergyKWh)} />
        </label>
        <button type="submit" class="secondary">
          {t('ev.setEnergy')}
        </button>
      </form>
    </div>
  );
}

/** The firmware's name as the add form lists it; an unknown kind as it is. */
export function kindName(t: (key: MessageKey) => string, kind: string): string {
  const known = ['emonesp', 'emonhub', 'shelly', 'tasmota', 'openevse', 'hub'];
  return known.includes(kind) ? t(`device.kind.${kind}` as MessageKey) : kind;
}
