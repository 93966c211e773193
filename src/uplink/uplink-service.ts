// The server connection's one job: signed remote update commands in, progress out. A command is
// checked (src/updater/remote-command.ts) before anything else happens; every refusal is counted
// and logged without the message. The connection never holds up the hub: start() only begins it.
import type { KeyObject } from 'node:crypto';
import type { Clock, CancelTimer } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import type { Logger } from '../shared/logger.js';
import { checkRemoteCommand } from '../updater/remote-command.js';
import type { UpdateProgress, UpdateTriggers } from '../updater/update-inbox.js';
import {
  uplinkTopics,
  type ConnectUplink,
  type ReplayMark,
  type ServerConnectionView,
  type UplinkConnection,
} from './ports.js';

export const DOWNLOAD_PROGRESS_INTERVAL_MS = 1000;

export interface UplinkServiceDeps {
  connect: ConnectUplink;
  updates: UpdateTriggers;
  /** The update public key; undefined: every command is refused with `no-update-key`. */
  publicKey: KeyObject | undefined;
  /** Why there is no key (said once, at start). */
  keyProblem?: string;
  replay: ReplayMark;
  url: string;
  hubId: string;
  topicPrefix: string;
  clock: Clock;
  log: Logger;
}

export class UplinkService implements Component {
  readonly name = 'server-connection';
  /** The hub works offline: a server that cannot be reached never makes it not ready. */
  readonly neededForReady = false;
  private readonly topics;
  private connection: UplinkConnection | undefined;
  private connected = false;
  private lastError: string | null = null;
  private refused = 0;
  private unlisten: (() => void) | undefined;
  private lastDownloadPublishMs = -Infinity;
  private cancelPending: CancelTimer | undefined;

  constructor(private readonly deps: UplinkServiceDeps) {
    this.topics = uplinkTopics(deps.topicPrefix, deps.hubId);
  }

  start(): Promise<void> {
    if (!this.deps.publicKey) {
      this.deps.log.warn(
        { reason: this.deps.keyProblem },
        'no update key: every remote update command will be refused (no-update-key)',
      );
    }
    this.unlisten = this.deps.updates.onProgress((progress) => this.progressChanged(progress));
    this.connection = this.deps.connect({
      onConnect: () => {
        this.connected = true;
        this.lastError = null;
        this.deps.log.info({ url: this.deps.url }, 'connected to the server');
        this.publishProgress(this.deps.updates.progress());
      },
      onClose: (error) => {
        if (this.connected) this.deps.log.warn({ error }, 'the server connection closed; reconnecting');
        this.connected = false;
        if (error) this.lastError = error;
      },
      onMessage: (topic, payload) => {
        if (topic === this.topics.command) this.command(payload);
      },
    });
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.unlisten?.();
    this.cancelPending?.();
    const connection = this.connection;
    this.connection = undefined;
    this.connected = false;
    await connection?.end();
  }

  status(): ComponentStatus {
    const { connected, lastError, refusedCommands } = this.view();
    return {
      state: !this.connection ? 'stopped' : connected ? 'ready' : 'degraded',
      detail: { connected, lastError, refusedCommands },
    };
  }

  view(): ServerConnectionView {
    return {
      configured: true,
      connected: this.connected,
      url: this.deps.url,
      hubId: this.deps.hubId,
      lastError: this.lastError,
      refusedCommands: this.refused,
    };
  }

  private command(payload: Buffer): void {
    const { replay, updates, hubId, publicKey, clock, log } = this.deps;
    let lastIssuedAtMs: number | undefined;
    try {
      lastIssuedAtMs = replay.read();
    } catch (error) {
      return this.refuse(undefined, 'replay-mark', `the replay mark cannot be read: ${String(error)}`);
    }
    const checked = checkRemoteCommand(payload, { publicKey, hubId, nowMs: clock.nowMs(), lastIssuedAtMs });
    if (!checked.ok) return this.refuse(undefined, checked.code, checked.reason);
    try {
      // Written before the update starts: a command seen once is never run twice, even after a crash.
      replay.write(checked.issuedAtMs);
    } catch (error) {
      return this.refuse(
        checked.order.id,
        'replay-mark',
        `the replay mark cannot be written: ${String(error)}`,
      );
    }
    log.info({ id: checked.order.id, version: checked.order.version }, 'remote update command accepted');
    this.reply({ id: checked.order.id, accepted: true });
    updates.fromRemote(checked.order);
  }

  private refuse(id: string | undefined, code: string, reason: string): void {
    this.refused++;
    this.deps.log.warn({ code, reason }, 'remote command refused');
    this.reply({ id: id ?? null, accepted: false, code, reason });
  }

  private reply(result: Record<string, unknown>): void {
    this.connection?.publish(this.topics.commandResult, JSON.stringify(result), { retain: false, qos: 1 });
  }

  /** Every change goes out at once, except download progress: at most once a second, the latest. */
  private progressChanged(progress: UpdateProgress): void {
    this.cancelPending?.();
    this.cancelPending = undefined;
    if (progress.state !== 'downloading') return this.publishProgress(progress);
    const waitMs = this.lastDownloadPublishMs + DOWNLOAD_PROGRESS_INTERVAL_MS - this.deps.clock.nowMs();
    if (waitMs <= 0) return this.publishProgress(progress);
    this.cancelPending = this.deps.clock.after(waitMs, () => {
      this.cancelPending = undefined;
      this.publishProgress(progress);
    });
  }

  private publishProgress(progress: UpdateProgress): void {
    if (progress.state === 'downloading') this.lastDownloadPublishMs = this.deps.clock.nowMs();
    this.connection?.publish(this.topics.update, JSON.stringify(progress), { retain: true, qos: 1 });
  }
}
