import { useState } from 'preact/hooks';
import type { PairingRequestView } from '../../src/api/contract.js';
import { api } from './api.js';
import { ErrorText } from './components.js';
import { useI18n } from './i18n.js';

/** One device asking to join: its address, an optional name, Allow (submit) and Deny. */
export function PairingRequest(props: { request: PairingRequestView; onSettled: (message: string) => void }) {
  const { t } = useI18n();
  const { ip } = props.request;
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const headingId = `pairing-${ip.replace(/[^0-9a-z]/gi, '-')}`;
  const answer = async (allow: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      if (allow) await api.allowPairing(ip, name.trim() ? { name: name.trim() } : {});
      else await api.denyPairing(ip);
      props.onSettled(t(allow ? 'pairing.allowed' : 'pairing.denied', { ip }));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="pairing-request" role="group" aria-labelledby={headingId}>
      {/* An alert: read out when it appears, whatever the person is doing on the page. */}
      <p id={headingId} role="alert" class="pairing-ask">
        {t('pairing.asks', { ip })}
      </p>
      {props.request.hint && <p class="muted">{props.request.hint}</p>}
      <form
        class="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          void answer(true);
        }}
      >
        <label>
          {t('pairing.name')}
          <input value={name} maxLength={64} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={busy}>
          {t('pairing.allow')}
        </button>
        <button type="button" class="secondary" disabled={busy} onClick={() => void answer(false)}>
          {t('pairing.deny')}
        </button>
      </form>
      {error && <ErrorText message={error} />}
    </div>
  );
}
