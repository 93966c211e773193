import { useEffect, useState } from 'preact/hooks';
import type { ApiKeys, ReadinessReport, UserSummary, VersionInfo } from '../../../src/api/contract.js';
import { api } from '../api.js';
import { Card, ErrorText } from '../components.js';
import { useI18n } from '../i18n.js';
import { SecretValue } from './secret-value.js';
import { TariffForm } from './tariff-form.js';
import { UpdatesPanel } from './updates-panel.js';

/** Administrators: users, API keys, the MQTT certificate, a backup, system status and version. */
export function SettingsPage() {
  const { t } = useI18n();
  const [users, setUsers] = useState<UserSummary[]>([]);
  const [keys, setKeys] = useState<ApiKeys>();
  const [ready, setReady] = useState<ReadinessReport>();
  const [version, setVersion] = useState<VersionInfo>();
  const [error, setError] = useState<string>();
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' });
  const [passwords, setPasswords] = useState<Record<string, string>>({});

  const load = () =>
    Promise.all([api.users(), api.apiKeys(), api.readiness(), api.version()])
      .then(([u, k, r, v]) => {
        setUsers(u);
        setKeys(k);
        setReady(r);
        setVersion(v);
      })
      .catch((err: Error) => setError(err.message));
  useEffect(() => void load(), []);

  const act = (work: () => Promise<unknown>) => async (e?: Event) => {
    e?.preventDefault();
    setError(undefined);
    try {
      await work();
      await load();
    } catch (err) {
      setError((err as Error).message);
    }
  };

  return (
    <main class="dashboard" aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings.title')}</h1>
      <ErrorText message={error} />
      <TariffForm />
      <TimeZoneCard />
      <div class="cards">
        <Card title={t('settings.users')}>
          <ul class="feeds">
            {users.map((u) => (
              <li data-user={u.username}>
                {u.username} <small>({u.role})</small>
                <form
                  class="inline-form"
                  onSubmit={act(async () => {
                    await api.setPassword(u.username, passwords[u.username] ?? '');
                    setPasswords({ ...passwords, [u.username]: '' });
                  })}
                >
                  <input
                    type="password"
                    minLength={8}
                    required
                    autocomplete="new-password"
                    aria-label={t('settings.newPassword', { name: u.username })}
                    value={passwords[u.username] ?? ''}
                    onInput={(e) =>
                      setPasswords({ ...passwords, [u.username]: (e.target as HTMLInputElement).value })
                    }
                  />
                  <button type="submit" class="secondary small">
                    {t('settings.resetPassword')}
                  </button>
                </form>
              </li>
            ))}
          </ul>
          <form
            class="inline-form"
            onSubmit={act(async () => {
              await api.addUser(form.username, form.password, form.role);
              setForm({ username: '', password: '', role: 'viewer' });
            })}
          >
            <label>
              {t('settings.username')}
              <input
                value={form.username}
                required
                onInput={(e) => setForm({ ...form, username: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              {t('settings.password')}
              <input
                type="password"
                minLength={8}
                required
                value={form.password}
                onInput={(e) => setForm({ ...form, password: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label>
              {t('settings.role')}
              <select
                value={form.role}
                onChange={(e) => setForm({ ...form, role: (e.target as HTMLSelectElement).value })}
              >
                <option value="viewer">{t('settings.viewer')}</option>
                <option value="admin">{t('settings.admin')}</option>
              </select>
            </label>
            <button type="submit">{t('settings.addUser')}</button>
          </form>
        </Card>
        <Card title={t('settings.apiKeys')}>
          {keys && (
            <dl class="keys">
              <dt>{t('settings.readKey')}</dt>
              <dd>
                <SecretValue label={t('settings.readKey')} value={keys.readApiKey} testId="read-key" />{' '}
                <button type="button" class="secondary small" onClick={act(() => api.regenerateKey('read'))}>
                  {t('settings.regenerate')}
                </button>
              </dd>
              <dt>{t('settings.writeKey')}</dt>
              <dd>
                <SecretValue label={t('settings.writeKey')} value={keys.writeApiKey} testId="write-key" />{' '}
                <button type="button" class="secondary small" onClick={act(() => api.regenerateKey('write'))}>
                  {t('settings.regenerate')}
                </button>
              </dd>
            </dl>
          )}
          <a class="button-link" href="/api/v1/mqtt/ca.crt" download="energy-hub-ca.crt">
            {t('dash.ca')}
          </a>
        </Card>
        <Card title={t('settings.backup')}>
          <p class="muted">{t('settings.backupNote')}</p>
          <a class="button-link" href="/api/v1/backup" download data-testid="backup-download">
            {t('settings.backupDownload')}
          </a>
        </Card>
        <UpdatesPanel />
        <Card title={t('settings.status')}>
          {ready && (
            <ul class="feeds">
              {Object.entries(ready.components).map(([name, c]) => (
                <li>
                  <span class={c.state === 'ready' ? 'badge live' : 'badge stale'}>{c.state}</span> {name}
                </li>
              ))}
            </ul>
          )}
          {version && (
            <p class="muted">
              {version.name} {version.version} · Node {version.node}
            </p>
          )}
        </Card>
      </div>
    </main>
  );
}

/** The hub's timezone: calendar days, costs and charts follow it; a change applies at restart. */
function TimeZoneCard() {
  const { t } = useI18n();
  const [zone, setZone] = useState('');
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<string>();
  useEffect(
    () =>
      void api.hub().then(
        (h) => setZone(h.timeZone),
        (e: Error) => setError(e.message),
      ),
    [],
  );
  const zones = (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf(
    'timeZone',
  );
  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      await api.setTimeZone(zone);
      setSaved(true);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Card title={t('settings.timeZone')}>
      <form class="inline-form" onSubmit={save}>
        <div class="field">
          <label for="hub-timezone">{t('settings.timeZone')}</label>
          <select
            id="hub-timezone"
            value={zone}
            onChange={(e) => setZone((e.target as HTMLSelectElement).value)}
          >
            {(zones.includes(zone) ? zones : [zone, ...zones]).map((z) => (
              <option value={z}>{z}</option>
            ))}
          </select>
        </div>
        <button type="submit">{t('inputs.save')}</button>
        {saved && <span role="status">{t('settings.timeZoneSaved')}</span>}
      </form>
      <ErrorText message={error} />
    </Card>
  );
}
