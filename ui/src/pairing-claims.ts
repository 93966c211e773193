import type { PairingClaimView, PairingStateView } from '../../src/api/contract.js';

// Which devices that connected with a pairing login (Tasmota, Shelly, OpenEVSE; docs/devices.md,
// Pairing without typing) the prompt on every admin page lists. This is in the dashboard's script;
// what the prompt says of each is in pairing-claim-model.ts, loaded with it. No DOM; tested as is.

/**
 * What the prompt remembers of a claim put away: its client id and when it first connected, so that
 * the same device connecting again later (a new claim) is shown again.
 */
export function claimKey(claim: PairingClaimView): string {
  return `${claim.clientId}@${claim.firstSeenMs}`;
}

/**
 * The claims put away after one more: only those the hub still lists are kept (what the prompt
 * remembers in the browser does not grow).
 */
export function dismissedAfter(
  dismissed: ReadonlySet<string>,
  pairing: PairingStateView | undefined,
  claim: PairingClaimView,
): Set<string> {
  const listed = new Set((pairing?.claims ?? []).map(claimKey));
  return new Set([...dismissed].filter((key) => listed.has(key))).add(claimKey(claim));
}

/**
 * The claims to show, oldest first: every one the hub lists, except those this admin has put away
 * on this page (a paired one read, a manual one typed in, a denied one).
 */
export function claimsShown(
  pairing: PairingStateView | undefined,
  dismissed: ReadonlySet<string>,
): PairingClaimView[] {
  return (pairing?.claims ?? [])
    .filter((c) => !dismissed.has(claimKey(c)))
    .sort((a, b) => a.firstSeenMs - b.firstSeenMs || a.clientId.localeCompare(b.clientId));
}
