import { useEffect, useState } from 'preact/hooks';
import type { DeviceView, SessionInfo } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { ErrorText } from '../components.js';
import { applyDeviceMessage } from '../devices-model.js';
import { useI18n } from '../i18n.js';
import type { LiveConnection } from '../live.js';
import { ConnectDeviceCard } from './connect-device.js';
import { DeviceDetail } from './device-detail.js';
import { DeviceControls, DeviceFigures, kindName, useDeviceMessages } from './device-state.js';
import { PairingWindowCard } from './pairing-window.js';

/**
 * `#/devices`: every device with its state, live from /ws, and (admins) its switch, the pairing
 * window and the manual add; `#/devices/<id>`: one device's page.
 */
export function DevicesPage(props: { session: SessionInfo; live: LiveConnection; deviceId?: number }) {
  const { t } = useDeviceMessages();
  const isAdmin = props.session.user.role === 'admin';
  const [devices, setDevices] = useState<DeviceView[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const load = () =>
      void api.devices().then(
        (list) => {
          setDevices(list);
          setError(undefined);
        },
        (err: Error) => setError(err.message),
      );
    load();
    const offDevice = props.live.on('device', (m) =>
      setDevices((list) => list && applyDeviceMessage(list, m.id, m.device)),
    );
    // After a reconnect: what changed while the page was away.
    const offHello = props.live.on('hello', load);
    return () => {
      offDevice();
      offHello();
    };
  }, [props.live]);

  if (props.deviceId !== undefined)
    return (
      <DeviceDetail
        device={devices?.find((d) => d.id === props.deviceId)}
        loaded={devices !== undefined}
        isAdmin={isAdmin}
        error={error}
      />
    );
  return (
    <main class="dashboard devices">
      <h1>{t('devices.title')}</h1>
      <ErrorText message={error} />
      <section class="card" aria-labelledby="devices-list">
        <h2 id="devices-list">{t('devices.list')}</h2>
        {devices?.length === 0 && <p class="empty">{t('devices.none')}</p>}
        <ul class="device-list">
          {devices?.map((device) => (
            <DeviceItem key={device.id} device={device} isAdmin={isAdmin} />
          ))}
        </ul>
      </section>
      {isAdmin && (
        <div class="cards device-admin">
          <PairingWindowCard live={props.live} />
          <ConnectDeviceCard />
        </div>
      )}
    </main>
  );
}

function DeviceItem(props: { device: DeviceView; isAdmin: boolean }) {
  const { t: tApp } = useI18n();
  const { t } = useDeviceMessages();
  const { device } = props;
  return (
    <li class="device" data-device={device.name}>
      <div class="device-head">
        <h3 id={`device-${device.id}`}>
          <a href={`#/devices/${device.id}`}>{device.name}</a>
        </h3>
        <p class="muted">
          {device.room ?? t('devices.noRoom')} · {kindName(tApp, device.kind)}
        </p>
      </div>
      <DeviceFigures device={device} />
      <DeviceControls device={device} isAdmin={props.isAdmin} />
    </li>
  );
}
