import type { BrokerPrincipal } from './principal.js';

const LEGACY = Symbol('legacy');

/**
 * Grants changes that happen while logins are between their credential check and their CONNACK:
 * such a login decided its grants too early. Only changes of its own grants concern it (a device's
 * own, or the legacy login's); nothing is kept while no login is in flight.
 */
export class LoginsInFlight {
  private inFlight = 0;
  private epoch = 0;
  /** Whose grants changed (a device id, or LEGACY), at which epoch. */
  private readonly changedAt = new Map<number | typeof LEGACY, number>();
  private readonly removedDevices = new Set<number>();

  /** A login starts; the epoch it decides its grants at. */
  start(): number {
    this.inFlight++;
    return this.epoch;
  }

  end(): void {
    if (--this.inFlight > 0) return;
    this.changedAt.clear();
    this.removedDevices.clear();
  }

  /** Grants of device `whose` (a gateway yielding a node) or of the legacy login changed. */
  grantsChanged(whose: number | 'legacy'): void {
    if (this.inFlight === 0) return;
    this.changedAt.set(whose === 'legacy' ? LEGACY : whose, ++this.epoch);
  }

  /** A device was deleted: a login of it in flight passed verify() before. */
  deviceRemoved(deviceId: number): void {
    if (this.inFlight === 0) return; // a later login fails verify()
    this.removedDevices.add(deviceId);
    this.grantsChanged(deviceId);
  }

  wasRemoved(principal: BrokerPrincipal): boolean {
    return principal.kind === 'device' && this.removedDevices.has(principal.deviceId);
  }

  changedSince(principal: BrokerPrincipal, epoch: number): boolean {
    const whose =
      principal.kind === 'device' ? principal.deviceId : principal.kind === 'legacy' ? LEGACY : undefined;
    return whose !== undefined && (this.changedAt.get(whose) ?? -1) > epoch;
  }
}
