// The update panel's shapes (GET /api/v1/update). They mirror src/updater/update-inbox.ts without
// importing it (the web app may import only the contract); the update routes assign one to the
// other, so the type checker catches a drift.

export type UpdateSourceName = 'app' | 'cli' | 'remote';

/** hub-updater's states (status.json), then what hubd adds before hub-updater answers. */
export type UpdaterState =
  'queued' | 'verifying' | 'installing' | 'installed' | 'rolled-back' | 'refused' | 'failed';

export type UpdateProgressView =
  | { state: 'idle'; currentVersion: string }
  | {
      state: 'downloading';
      id: string;
      source: UpdateSourceName;
      receivedBytes: number;
      /** 0 when not known (an upload without Content-Length). */
      totalBytes: number;
      currentVersion: string;
    }
  | { state: 'download-failed'; id: string; source: UpdateSourceName; reason: string; currentVersion: string }
  /** The request is in the inbox; hub-updater has not taken it yet. */
  | { state: 'waiting'; id: string; source: UpdateSourceName; currentVersion: string }
  | {
      format: 1;
      id: string;
      source: UpdateSourceName;
      state: UpdaterState;
      /** The install's step while installing (`unpack`, `stop`, … `await-ready`). */
      step?: string;
      version?: string;
      fromVersion?: string;
      /** A refusal's code (bad-signature, not-newer, …). */
      code?: string;
      reason?: string;
      updatedAtMs: number;
      currentVersion: string;
    };

/** GET /api/v1/update. `available` false: not the appliance image; the upload answers 503. */
export interface UpdateInfo {
  available: boolean;
  progress: UpdateProgressView;
}

/** POST /api/v1/update/bundle → 202. */
export interface UpdateAccepted {
  id: string;
}
