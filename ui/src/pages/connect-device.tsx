import { useState } from 'preact/hooks';
import { api, type NewDeviceLogin } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { deviceSettings, type DeviceSetting } from '../device-setup.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { CopyValue, SecretValue } from './secret-value.js';

// The device kinds the hub's MQTT rules know (docs/mqtt.md), named as a householder knows them.
const KINDS = ['emonesp', 'emonhub', 'shelly', 'tasmota', 'openevse', 'hub'] as const;

const LABELS: Record<DeviceSetting['key'], MessageKey> = {
  username: 'device.username',
  password: 'device.secret',
  host: 'device.host',
  port: 'device.port',
  tlsPort: 'device.tlsPort',
  topic: 'device.topicSetting',
};

/**
 * Administrators: give a meter, plug or charger its own MQTT login, in the app (no shell), and
 * every setting to type into it (the manual path for firmwares that cannot ask to join).
 */
export function ConnectDeviceCard() {
  const { t } = useI18n();
  const [form, setForm] = useState({ name: '', kind: 'emonesp', topicName: '' });
  const [login, setLogin] = useState<NewDeviceLogin & { topicName: string }>();
  const [ports, setPorts] = useState<{ tcp?: number; tls?: number }>({});
  const [error, setError] = useState<string>();
  const field = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  const add = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    // The ports the broker really listens on (a listener that is off has none), asked only now:
    // the dashboard's load need not wait for it.
    void api.mqttStatus().then(
      ({ detail }) => setPorts({ tcp: portOf(detail?.tcpPort), tls: portOf(detail?.tlsPort) }),
      () => undefined,
    );
    try {
      const added = await api.addDevice(form.name, form.kind, form.topicName);
      setLogin({ ...added, topicName: added.device?.topicName ?? form.topicName });
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const settings =
    login &&
    deviceSettings({
      host: location.hostname,
      tcpPort: ports.tcp,
      tlsPort: ports.tls,
      username: login.mqttUsername,
      secret: login.secret,
      topicName: login.topicName,
    });
  return (
    <Card title={t('dash.connect')}>
      <p>{t('dash.connectText')}</p>
      <form class="inline-form" onSubmit={add}>
        <label>
          {t('device.name')}
          <input value={form.name} required onInput={field('name')} />
        </label>
        <label>
          {t('device.kind')}
          <select value={form.kind} onChange={field('kind')}>
            {KINDS.map((k) => (
              <option value={k}>{t(`device.kind.${k}` as MessageKey)}</option>
            ))}
          </select>
        </label>
        <label>
          {t('device.topic')}
          <input value={form.topicName} required onInput={field('topicName')} />
        </label>
        <button type="submit">{t('device.add')}</button>
      </form>
      <p class="muted">{t('device.topicHelp')}</p>
      <ErrorText message={error} />
      {settings && (
        <>
          <p>{t('device.settings')}</p>
          <dl class="keys" data-testid="device-login">
            {settings.map(({ key, value }) => [
              <dt>{t(LABELS[key])}</dt>,
              <dd>
                {key === 'password' ? (
                  <SecretValue label={t(LABELS[key])} value={value} initiallyShown />
                ) : (
                  <CopyValue label={t(LABELS[key])} value={value} testId={`setting-${key}`} />
                )}
              </dd>,
              key === 'password' && <dd class="muted">{t('device.secretOnce')}</dd>,
            ])}
          </dl>
          {ports.tls !== undefined && <p class="muted">{t('device.tls', { port: ports.tls })}</p>}
        </>
      )}
      <a class="button-link" href="/api/v1/mqtt/ca.crt" download="energy-hub-ca.crt">
        {t('dash.ca')}
      </a>
    </Card>
  );
}

function portOf(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 ? value : undefined;
}
