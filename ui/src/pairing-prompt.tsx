import { useEffect, useState } from 'preact/hooks';
import type { PairingClaimView, PairingStateView } from '../../src/api/contract.js';
import { api } from './api.js';
import { waitingRequests } from './device-setup.js';
import { useI18n } from './i18n.js';
import { lazyComponent } from './lazy.js';
import type { LiveConnection } from './live.js';
import { claimKey, claimsShown, dismissedAfter } from './pairing-claims.js';

// The questions' code loads only when a device asks: every admin page carries just this watcher.
const PairingRequest = lazyComponent(() => import('./pairing-request.js').then((m) => m.PairingRequest), {
  quiet: true,
});
const PairingClaim = lazyComponent(() => import('./pairing-claim.js').then((m) => m.PairingClaim), {
  quiet: true,
});

const DONE_SHOWN_MS = 10_000;
// Claims put away (paired ones read, manual ones typed in, denied ones) stay away after a reload:
// the hub lists a settled claim for a while (pairing.requestTtlS).
const DISMISSED_KEY = 'hub.pairing.dismissed';

function loadDismissed(): ReadonlySet<string> {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(DISMISSED_KEY) ?? '[]');
    return new Set(Array.isArray(stored) ? stored.filter((k) => typeof k === 'string') : []);
  } catch {
    return new Set();
  }
}

/**
 * Admins, on every page: each device that asked to join (EmonESP's auth request) and each one that
 * connected with a pairing login (Tasmota, Shelly, OpenEVSE), with Allow and Deny. A strip at the
 * top of the page, not a modal: the page stays usable while it waits.
 */
export function PairingPrompt(props: { live: LiveConnection }) {
  const { t } = useI18n();
  const [pairing, setPairing] = useState<PairingStateView>();
  const [done, setDone] = useState<string>();
  const [dismissed, setDismissed] = useState(loadDismissed);
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
  const claims = claimsShown(pairing, dismissed);
  if (waiting.length === 0 && claims.length === 0 && !done) return null;
  const settled = (message: string) => {
    setDone(message);
    refresh();
  };
  const dismiss = (claim: PairingClaimView) => {
    const next = dismissedAfter(dismissed, pairing, claim);
    localStorage.setItem(DISMISSED_KEY, JSON.stringify([...next]));
    setDismissed(next);
  };
  return (
    <aside class="pairing-prompt" aria-label={t('pairing.region')}>
      {waiting.map((request) => (
        <PairingRequest key={request.ip} request={request} onSettled={settled} />
      ))}
      {claims.map((claim) => (
        <PairingClaim
          key={claimKey(claim)}
          claim={claim}
          onDismiss={() => dismiss(claim)}
          onDenied={(message) => {
            dismiss(claim);
            settled(message);
          }}
        />
      ))}
      {done && <p role="status">{done}</p>}
    </aside>
  );
}
