import DgramAsPromised, { type SocketAsPromised } from 'dgram-as-promised';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { PairingBeacon } from './ports.js';

/** What EmonESP listens for on UDP 5005: exactly these 12 bytes, no terminator (emoncms.md §4.3). */
export const BEACON_PAYLOAD = Buffer.from('emonpi.local', 'ascii');

/**
 * The UDP beacon that tells an EmonESP where the hub is: it takes the sender's address as its
 * server and asks it for a login. A send that fails is logged and counted, never fatal.
 */
export class UdpBeacon implements Component, PairingBeacon {
  readonly name = 'pairing-beacon';
  private socket: SocketAsPromised | undefined;
  private sent = 0;
  private failed = 0;
  private lastError: string | null = null;

  constructor(
    private readonly address: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const socket = DgramAsPromised.createSocket('udp4');
    await socket.bind(0);
    socket.setBroadcast(true);
    socket.unref(); // the HTTP and MQTT servers keep hubd alive, not a beacon socket
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    await socket?.close();
  }

  status(): ComponentStatus {
    return {
      state: this.socket ? 'ready' : 'stopped',
      detail: {
        to: `${this.address}:${this.port}`,
        sent: this.sent,
        failed: this.failed,
        lastError: this.lastError,
      },
    };
  }

  async sendNow(): Promise<boolean> {
    try {
      if (!this.socket) throw new Error('the beacon socket is not open');
      await this.socket.send(BEACON_PAYLOAD, this.port, this.address);
      this.sent += 1;
      this.lastError = null;
      return true;
    } catch (err) {
      this.failed += 1;
      const message = describeError(err);
      if (message !== this.lastError)
        this.log.warn({ err: message, to: this.address }, 'the pairing beacon could not be sent');
      this.lastError = message;
      return false;
    }
  }
}
