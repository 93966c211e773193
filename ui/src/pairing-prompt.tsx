import { useEffect, useState } from 'preact/hooks';
import type { PairingStateView } from '../../src/api/contract.js';
import { api } from './api.js';
import { waitingRequests } from './device-setup.js';
import { useI18n } from './i18n.js';
import { lazyComponent } from './lazy.js';
import type { LiveConnection } from './live.js';

// The questions' code loads only when a device asks: every admin page carries just this watcher.
const PairingRequest = lazyComponent(() => import('./pairing-request.js').then((m) => m.PairingRequest), {
  quiet: true,
});

const DONE_SHOWN_MS = 10_000;

/**
 * Admins, on every page: each device that asked to join (EmonESP's auth request), with Allow and
 * Deny. A strip at the top of the page, not a modal: the page stays usable while it waits.
 */
export function PairingPrompt(props: { live: LiveConnection }) {
  const { t } = useI18n();
  const [pairing, setPairing] = useState<PairingStateView>();
  const [done, setDone] = useState<string>();
  const refresh = () => void api.pairing().then(setPairing, () => undefined);
  // The hub sends the pending requests to an admin's socket when it opens (and after a
  // reconnect), then each change: no request of its own on the way to the page.
  useEffect(() => props.live.on('pairing', (m) => setPairing(m.pairing)), [props.live]);
  useEffect(() => {
    if (!done) return;
    const timer = setTimeout(() => setDone(undefined), DONE_SHOWN_MS);
    return () => clearTimeout(timer);
  }, [done]);
  const waiting = waitingRequests(pairing);
  if (waiting.length === 0 && !done) return null;
  const settled = (message: string) => {
    setDone(message);
    refresh();
  };
  return (
    <aside class="pairing-prompt" aria-label={t('pairing.region')}>
      {waiting.map((request) => (
        <PairingRequest key={request.ip} request={request} onSettled={settled} />
      ))}
      {done && <p role="status">{done}</p>}
    </aside>
  );
}
