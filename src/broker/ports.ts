import type { BrokerPrincipal } from './principal.js';

/** An in-process reader of published messages (ingest, later device drivers). */
export type MqttMessageHandler = (topic: string, payload: Buffer) => void;

/** Ends one subscription; calling it again does nothing. No message reaches the handler after it. */
export type Unsubscribe = () => void;

export interface MqttPublishOptions {
  /** 0 (default), 1 or 2: with 1 and 2 the message is queued for offline persistent sessions. */
  qos?: 0 | 1 | 2;
  retain?: boolean;
}

/**
 * The hub's broker as other capabilities use it. Messages published here do not pass the ACL:
 * only the hub's own code reaches it.
 */
export interface MqttPort {
  /** Hands every message published under `filter` to `handler` (from now on) until unsubscribed. */
  subscribe(filter: string, handler: MqttMessageHandler): Unsubscribe;
  /**
   * Resolves once the broker has taken the message (stored if retained, queued for offline
   * sessions at QoS > 0, handed to every live subscriber); rejects with an MqttPublishError when
   * it cannot (broker not running, invalid topic, a persistence failure).
   */
  publish(topic: string, payload: string | Buffer, options?: MqttPublishOptions): Promise<void>;
}

export class MqttPublishError extends Error {
  constructor(
    readonly topic: string,
    why: string,
  ) {
    super(`MQTT message to ${topic} not published: ${why}`);
    this.name = 'MqttPublishError';
  }
}

/** What a CONNECT offers. */
export interface MqttLogin {
  username: string | undefined;
  password: Buffer | undefined;
  remoteAddress: string;
  clientId: string;
  /** It came over MQTT over WebSocket (/mqtt), not TCP or TLS. */
  webSocket: boolean;
}

/** A pairing login's fate: not one ('pass'), admitted, or refused with a CONNACK code and why. */
export type PairingAdmission =
  'pass' | { admit: true } | { admit: false; returnCode: 2 | 3 | 4 | 5; why: string };

/**
 * The pairing capability's side of pairing logins (Tasmota, Shelly, OpenEVSE pairing without
 * typing): who is admitted, and what such a session publishes (which nobody else receives).
 */
export interface PairingSessions {
  admit(login: MqttLogin): PairingAdmission;
  /** `remoteAddress`: the session's; it may publish before the broker announces it ready. */
  published(clientId: string, remoteAddress: string, topic: string, payload: Buffer): void;
  closed(clientId: string): void;
}

/** The broker's side: where the pairing capability plugs in, and how it talks to a session. */
export interface PairingLinePort {
  attach(sessions: PairingSessions): void;
  /** Sends one message to that pairing session only (QoS 1, not retained); false if it is gone. */
  deliver(clientId: string, topic: string, payload: string): boolean;
  /** Ends a pairing session (denied, or the window closed). */
  end(clientId: string, why: string): void;
}

/**
 * One authenticator's answer: the principal, 'refuse' (the login is its own and wrong: no other
 * authenticator is asked) or 'pass' (not its login: the next one decides).
 */
export type LoginVerdict = BrokerPrincipal | 'refuse' | 'pass';

/**
 * One kind of MQTT login (users, devices, the legacy emonhub login, pairing logins). The broker
 * asks each in order; a throw refuses the CONNECT (with `returnCode` 3: "server unavailable").
 */
export interface MqttAuthenticator {
  readonly name: string;
  authenticate(login: MqttLogin): LoginVerdict | Promise<LoginVerdict>;
  /**
   * The principal a client-id owner of its kind (client-id-registry.ts) is now, with its grants
   * of now; undefined when the owner is not of its kind or is gone.
   */
  resolveOwner?(owner: string): BrokerPrincipal | undefined;
}
