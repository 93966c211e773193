import type { MqttLogin, PairingAdmission, PairingLinePort, PairingSessions } from './ports.js';

/** What the broker does for the pairing line (MqttBroker has it). */
export interface PairingDelivery {
  deliverToPairing(clientId: string, topic: string, payload: string): boolean;
  endPairing(clientId: string, why: string): void;
}

/**
 * Where pairing logins meet the pairing capability, which is wired after the broker: until it
 * attaches, no pairing login is admitted (a login without a username is refused, as before).
 */
export class PairingLine implements PairingLinePort, Omit<PairingSessions, 'admit'> {
  private sessions: PairingSessions | undefined;
  private delivery: PairingDelivery | undefined;

  attach(sessions: PairingSessions): void {
    this.sessions = sessions;
  }

  /** The running broker (undefined while it is stopped or turned off). */
  connect(delivery: PairingDelivery | undefined): void {
    this.delivery = delivery;
  }

  admit(login: MqttLogin): PairingAdmission {
    return this.sessions?.admit(login) ?? 'pass';
  }

  published(clientId: string, remoteAddress: string, topic: string, payload: Buffer): void {
    this.sessions?.published(clientId, remoteAddress, topic, payload);
  }

  closed(clientId: string): void {
    this.sessions?.closed(clientId);
  }

  deliver(clientId: string, topic: string, payload: string): boolean {
    return this.delivery?.deliverToPairing(clientId, topic, payload) ?? false;
  }

  end(clientId: string, why: string): void {
    this.delivery?.endPairing(clientId, why);
  }
}
