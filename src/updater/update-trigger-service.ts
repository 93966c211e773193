// hubd's update module: it receives a bundle (the app's upload, the `hub` command writes its own,
// the server's signed order is downloaded here), hands it to hub-updater through the inbox, and
// shows what happens next from hub-updater's status file. It never installs anything itself.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { CancelTimer, Clock } from '../shared/clock.js';
import type { Component, ComponentStatus } from '../shared/component.js';
import { describeError, UserError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { removeBundle, type UpdateInbox } from './inbox.fs.js';
import {
  FINAL_UPDATE_STATES,
  type DownloadBundle,
  type RemoteUpdateOrder,
  type UpdateProgress,
  type UpdateSource,
  type UpdateState,
  type UpdateTriggers,
} from './update-inbox.js';

export const UPDATES_UNAVAILABLE =
  'updates are installed by hub-updater on the appliance image; HUB_APP_DIR is not set';

export class UpdatesUnavailable extends UserError {
  constructor() {
    super(UPDATES_UNAVAILABLE, 503, 'updates_unavailable');
  }
}

export class UpdateInFlight extends UserError {
  constructor(what: string) {
    super(
      `an update is already under way (${what}); try again once it has finished`,
      409,
      'update_in_flight',
    );
  }
}

export interface UpdateTriggerDeps {
  /** null: this machine has no app dir (not the appliance image). */
  inbox: UpdateInbox | null;
  download?: DownloadBundle;
  clock: Clock;
  log: Logger;
  currentVersion: string;
  pollMs?: number;
  /** The remote download: tries and the first wait between them (doubling, at most maxRetryDelayMs). */
  downloadAttempts?: number;
  firstRetryDelayMs?: number;
  maxRetryDelayMs?: number;
}

/** What only hubd knows: the bundle arriving, or that hub-updater has not answered yet. */
type LocalState =
  | { state: 'downloading'; id: string; source: UpdateSource; receivedBytes: number; totalBytes: number }
  | { state: 'download-failed'; id: string; source: UpdateSource; reason: string }
  | { state: 'waiting'; id: string; source: UpdateSource };

export class UpdateTriggerService implements UpdateTriggers, Component {
  readonly name = 'updates';
  readonly neededForReady = false;
  private local: LocalState | null = null;
  private readonly listeners = new Set<(progress: UpdateProgress) => void>();
  private lastSeen = '';
  private stopPolling: CancelTimer | null = null;
  private readonly aborts = new AbortController();
  private downloadDone: Promise<void> = Promise.resolve();

  constructor(private readonly deps: UpdateTriggerDeps) {}

  get available(): boolean {
    return this.deps.inbox !== null;
  }

  start(): Promise<void> {
    this.stopPolling = this.deps.clock.every(this.deps.pollMs ?? 2000, () => this.notifyIfChanged());
    this.lastSeen = JSON.stringify(this.progress());
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopPolling?.();
    this.aborts.abort();
    await this.downloadDone;
  }

  status(): ComponentStatus {
    const progress = this.progress();
    return { state: 'ready', detail: { available: this.available, state: progress.state } };
  }

  progress(): UpdateProgress {
    const currentVersion = this.deps.currentVersion;
    const inbox = this.deps.inbox;
    if (!inbox) return { state: 'idle', currentVersion };
    const status = inbox.readStatus();
    const local = this.local ?? this.pendingRequest(inbox);
    if (local && (local.state !== 'waiting' || status?.id !== local.id)) return { ...local, currentVersion };
    if (status) return { ...status, currentVersion };
    return { state: 'idle', currentVersion };
  }

  onProgress(listener: (progress: UpdateProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The app's upload: the bundle is streamed into the inbox, then the request written. */
  async fromUpload(from: Readable, by: string): Promise<{ id: string }> {
    const inbox = this.claim();
    const id = `app-${randomUUID()}`;
    this.setLocal({ state: 'downloading', id, source: 'app', receivedBytes: 0, totalBytes: 0 });
    try {
      await inbox.receiveBundle(id, from, (bytes) => this.countBytes(id, bytes));
    } catch (err) {
      this.setLocal(null);
      throw err;
    }
    this.request(inbox, id, 'app', by);
    return { id };
  }

  /**
   * The server's signed order: download (resuming after a failure), then the request. While
   * another update is under way it is refused (logged; the progress keeps showing that one).
   */
  fromRemote(order: RemoteUpdateOrder): void {
    const { id, bytes: totalBytes } = order;
    let inbox: UpdateInbox;
    try {
      inbox = this.claim();
    } catch (err) {
      // Never throws at the server connection: a busy hub keeps showing the update under way.
      this.deps.log.warn({ id, err: describeError(err) }, 'remote update refused');
      if (err instanceof UpdateInFlight) return;
      this.setLocal({ state: 'download-failed', id, source: 'remote', reason: describeError(err) });
      return;
    }
    this.setLocal({ state: 'downloading', id, source: 'remote', receivedBytes: 0, totalBytes });
    this.downloadDone = this.download(inbox, order).catch((err: unknown) => {
      this.deps.log.warn({ id, err: describeError(err) }, 'update download failed');
      this.setLocal({ state: 'download-failed', id, source: 'remote', reason: describeError(err) });
    });
  }

  private async download(inbox: UpdateInbox, order: RemoteUpdateOrder): Promise<void> {
    const { download } = this.deps;
    if (!download) throw new Error('this hub has no bundle downloader');
    inbox.checkWritable(); // makes the inbox the download writes into
    const attempts = this.deps.downloadAttempts ?? 5;
    let delayMs = this.deps.firstRetryDelayMs ?? 5000;
    for (let attempt = 1; ; attempt++) {
      try {
        await download({
          url: order.url,
          file: inbox.paths.bundleFile(order.id),
          sha256: order.sha256,
          bytes: order.bytes,
          onProgress: (receivedBytes) => this.countBytes(order.id, receivedBytes),
          signal: this.aborts.signal,
        });
        break;
      } catch (err) {
        if (attempt >= attempts || this.aborts.signal.aborted) {
          removeBundle(inbox, order.id);
          throw err;
        }
        this.deps.log.info(
          { id: order.id, attempt, delayMs, err: describeError(err) },
          'update download retry',
        );
        await this.pause(delayMs);
        if (this.aborts.signal.aborted) {
          removeBundle(inbox, order.id);
          throw new Error('hubd stopped during the download', { cause: err });
        }
        delayMs = Math.min(delayMs * 2, this.deps.maxRetryDelayMs ?? 60_000);
      }
    }
    this.request(inbox, order.id, 'remote', 'server');
  }

  /** A wait between tries that a stop ends at once. */
  private pause(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      const cancel = this.deps.clock.after(delayMs, resolve);
      this.aborts.signal.addEventListener(
        'abort',
        () => {
          cancel();
          resolve();
        },
        { once: true },
      );
    });
  }

  /** Refuses when not available or when another update is under way. */
  private claim(): UpdateInbox {
    const inbox = this.deps.inbox;
    if (!inbox) throw new UpdatesUnavailable();
    const progress = this.progress();
    if (progress.state === 'idle' || progress.state === 'download-failed') return inbox;
    if (!FINAL_UPDATE_STATES.includes(progress.state as UpdateState))
      throw new UpdateInFlight(`${progress.id} is ${progress.state}`);
    return inbox;
  }

  private request(inbox: UpdateInbox, id: string, source: UpdateSource, by: string): void {
    inbox.writeRequest({
      format: 1,
      id,
      source,
      bundle: `${id}.bundle`,
      requestedAtMs: this.deps.clock.nowMs(),
      by,
    });
    this.deps.log.info({ id, source, by }, 'update handed to hub-updater');
    this.setLocal({ state: 'waiting', id, source });
  }

  /** After a restart hubd knows nothing itself: a request still in the inbox is waiting. */
  private pendingRequest(inbox: UpdateInbox): LocalState | null {
    const request = inbox.readRequest();
    return request ? { state: 'waiting', id: request.id, source: request.source } : null;
  }

  private countBytes(id: string, receivedBytes: number): void {
    if (this.local?.state === 'downloading' && this.local.id === id) this.local.receivedBytes = receivedBytes;
  }

  private setLocal(local: LocalState | null): void {
    this.local = local;
    this.notifyIfChanged();
  }

  private notifyIfChanged(): void {
    const progress = this.progress();
    const seen = JSON.stringify(progress);
    if (seen === this.lastSeen) return;
    this.lastSeen = seen;
    // Once hub-updater answers for our request, the status file speaks for it.
    if (this.local?.state === 'waiting' && 'updatedAtMs' in progress && progress.id === this.local.id)
      this.local = null;
    for (const listener of this.listeners) listener(progress);
  }
}
