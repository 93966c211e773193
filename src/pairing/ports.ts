import type { PairingClaimKind, PairingRequestView, PairingStateView } from '../api/contract.js';

/** What pairing needs of the devices capability (DeviceService has it). */
export interface PairingDevices {
  add(
    name: string,
    kind: 'emonesp' | PairingClaimKind,
    topicName: string,
  ): { device: { id: number }; mqttUsername: string; secret: string };
  list(): { topicName: string }[];
  /** Sets its room (DeviceService.update). */
  update(id: number, change: { room?: string | null }): unknown;
  remove(id: number): void;
}

/** Sends the EmonESP beacon once; counts and logs its own failures and never rejects. */
export interface PairingBeacon {
  sendNow(): Promise<boolean>;
}

/** What is mirrored: the window and the auth requests (claims end with their sessions). */
export type MirroredPairingState = Pick<PairingStateView, 'windowOpenUntilMs' | 'requests'>;

/** Where the pairing state is mirrored for others to read (never the one-time answers). */
export interface PairingMirror {
  save(state: MirroredPairingState, nowMs: number): void;
  /** The requests last saved (by a hubd before a restart); rejects when they cannot be read. */
  load(): Promise<PairingRequestView[]>;
}

/** The pairing service as the routes and the live socket use it. */
export interface PairingPort {
  state(): PairingStateView;
}
