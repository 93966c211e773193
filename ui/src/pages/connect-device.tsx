import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { useI18n, type MessageKey } from '../i18n.js';
import { SecretValue } from './secret-value.js';

// The device kinds the hub's MQTT rules know (docs/mqtt.md), named as a householder knows them.
const KINDS = ['emonesp', 'emonhub', 'shelly', 'tasmota', 'openevse', 'hub'] as const;

/** Administrators: give a meter, plug or charger its own MQTT login, in the app (no shell). */
export function ConnectDeviceCard() {
  const { t } = useI18n();
  const [form, setForm] = useState({ name: '', kind: 'emonesp', topicName: '' });
  const [login, setLogin] = useState<{ mqttUsername: string; secret: string }>();
  const [error, setError] = useState<string>();
  const field = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.target as HTMLInputElement | HTMLSelectElement).value });
  const add = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      setLogin(await api.addDevice(form.name, form.kind, form.topicName));
    } catch (err) {
      setError((err as Error).message);
    }
  };
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
      {login && (
        <dl class="keys" data-testid="device-login">
          <dt>{t('device.username')}</dt>
          <dd>
            <code>{login.mqttUsername}</code>
          </dd>
          <dt>{t('device.secret')}</dt>
          <dd>
            <SecretValue label={t('device.secret')} value={login.secret} initiallyShown />
          </dd>
          <dd class="muted">{t('device.secretOnce')}</dd>
        </dl>
      )}
      <a class="button-link" href="/api/v1/mqtt/ca.crt" download="energy-hub-ca.crt">
        {t('dash.ca')}
      </a>
    </Card>
  );
}
