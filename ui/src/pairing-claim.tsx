import { useEffect, useState } from 'preact/hooks';
import type { PairingClaimSettings, PairingClaimView } from '../../src/api/contract.js';
import { api } from './api.js';
import { ErrorText } from './components.js';
import type { DeviceSetting } from './device-setup.js';
import { useI18n, useMessages, type MessageKey } from './i18n.js';
import { claimActions, claimName, claimSettingsShown, claimWhat } from './pairing-claim-model.js';
import { DEVICE_MESSAGES } from './pages/devices-messages.js';
import { CopyValue, SecretValue } from './pages/secret-value.js';

// The same labels as the manual add on the dashboard (connect-device.tsx).
const LABELS: Record<DeviceSetting['key'], MessageKey> = {
  username: 'device.username',
  password: 'device.secret',
  host: 'device.host',
  port: 'device.port',
  tlsPort: 'device.tlsPort',
  topic: 'device.topicSetting',
};

/**
 * One device that connected with a pairing login (Tasmota, Shelly, OpenEVSE): what it is, Allow
 * and Deny; once allowed, the hand-over of its own login, then "Paired", or the settings to type in.
 */
export function PairingClaim(props: {
  claim: PairingClaimView;
  onDenied: (message: string) => void;
  onDismiss: () => void;
}) {
  const { t } = useMessages(DEVICE_MESSAGES);
  const { claim } = props;
  const [form, setForm] = useState({ name: '', room: '' });
  const [busy, setBusy] = useState(false);
  // Allowed here, before the hub's `pairing` message says so: no second Allow meanwhile.
  const [allowed, setAllowed] = useState(false);
  const [error, setError] = useState<string>();
  const name = claimName(claim);
  const status = allowed && claim.status === 'waiting' ? 'handing-over' : claim.status;
  const actions = allowed ? { allow: false, deny: false } : claimActions(claim);
  const asking = status === 'connected' || status === 'waiting';
  const headingId = `claim-${claim.clientId.replace(/[^0-9a-z]/gi, '-')}`;
  const answer = async (allow: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      if (allow) {
        const device = { name: form.name.trim(), room: form.room.trim() };
        await api.allowClaim(claim.clientId, {
          ...(device.name && { name: device.name }),
          ...(device.room && { room: device.room }),
        });
        setAllowed(true);
      } else {
        await api.denyClaim(claim.clientId);
        props.onDenied(t('claim.denied', { name, ip: claim.ip }));
      }
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const field = (key: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [key]: (e.target as HTMLInputElement).value });
  return (
    <div class="pairing-claim" role="group" aria-labelledby={headingId} data-claim={claim.clientId}>
      {/* While it asks, an alert: read out when it appears and again once it says what it is. */}
      <p id={headingId} role={asking ? 'alert' : undefined} class="pairing-ask">
        {claim.kind === null
          ? t('claim.connected', { ip: claim.ip })
          : t(`claim.${asking ? 'asks' : 'is'}.${claim.kind}`, { what: claimWhat(claim), ip: claim.ip })}
      </p>
      {actions.allow && (
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void answer(true);
          }}
        >
          <label>
            {t('claim.name')}
            {/* Left empty, the device keeps the name it gave itself. */}
            <input
              value={form.name}
              maxLength={64}
              placeholder={claim.label ?? undefined}
              onInput={field('name')}
            />
          </label>
          <label>
            {t('claim.room')}
            <input value={form.room} maxLength={64} onInput={field('room')} />
          </label>
          <div class="actions">
            <button type="submit" disabled={busy}>
              {t('claim.allow')}
            </button>
            <button type="button" class="secondary" disabled={busy} onClick={() => void answer(false)}>
              {t('claim.deny')}
            </button>
          </div>
        </form>
      )}
      {!actions.allow && actions.deny && (
        <div class="actions">
          <button type="button" class="secondary" disabled={busy} onClick={() => void answer(false)}>
            {t('claim.deny')}
          </button>
        </div>
      )}
      {/* One live region from the hand-over to its end, so each step is read out. */}
      {!asking && (
        <p role="status" class="claim-progress">
          {status === 'handing-over' && t('claim.handingOver', { name })}
          {status === 'paired' && t('claim.paired', { name })}
          {status === 'manual' && t('claim.manual', { name })}
        </p>
      )}
      {(status === 'manual' || asking) && claim.problem && (
        <p class="muted">{t('claim.problem', { problem: claim.problem })}</p>
      )}
      {status === 'manual' && <ClaimSettings clientId={claim.clientId} />}
      {(status === 'paired' || status === 'manual') && (
        <div class="actions">
          {claim.deviceId !== null && (
            <a class="button-link" href={`#/devices/${claim.deviceId}`}>
              {t('claim.open', { name })}
            </a>
          )}
          <button type="button" onClick={props.onDismiss}>
            {t('claim.done')}
          </button>
        </div>
      )}
      {error && <ErrorText message={error} />}
    </div>
  );
}

/** The manual path: the settings the hub made for it, each with Copy (the password kept hidden). */
function ClaimSettings(props: { clientId: string }) {
  const { t } = useI18n();
  const own = useMessages(DEVICE_MESSAGES);
  const [settings, setSettings] = useState<PairingClaimSettings>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.claimSettings(props.clientId).then(setSettings, (err: Error) => setError(err.message));
  }, [props.clientId]);
  if (error) return <ErrorText message={error} />;
  if (!settings) return <p class="muted">{own.t('claim.loading')}</p>;
  return (
    <>
      <dl class="keys" data-testid="claim-settings">
        {claimSettingsShown(settings).map(({ key, value }) => [
          <dt>{t(LABELS[key])}</dt>,
          <dd>
            {key === 'password' ? (
              <SecretValue label={t(LABELS[key])} value={value} testId="claim-setting-password" />
            ) : (
              <CopyValue label={t(LABELS[key])} value={value} testId={`claim-setting-${key}`} />
            )}
          </dd>,
        ])}
      </dl>
      {settings.tlsPort !== null && <p class="muted">{t('device.tls', { port: settings.tlsPort })}</p>}
      {settings.caUrl && (
        <a class="button-link" href={settings.caUrl} download="energy-hub-ca.crt">
          {t('dash.ca')}
        </a>
      )}
    </>
  );
}
