// The hand-over between hubd (user `hub`, which receives bundles: from the app, the `hub` command
// or the server connection) and hub-updater (root, which installs them). hubd never installs:
// it puts a bundle and a request in the inbox; hub-updater.path starts hub-updater, which
// verifies the bundle's signature itself and writes its progress to the status file hubd reads.
// So a compromised hubd can at most ask for a bundle the update key signed.
import { join } from 'node:path';
import { z } from 'zod';

/** Where requests and status live, under the app dir (`/data/app` on the appliance). */
export function inboxPaths(appDir: string) {
  const inboxDir = join(appDir, 'inbox'); // owned by hub, 0700; hub-updater (root) reads it
  const statusDir = join(appDir, 'outbox'); // owned by root, 0755; hubd reads it
  return {
    inboxDir,
    requestFile: join(inboxDir, 'request.json'),
    bundleFile: (id: string) => join(inboxDir, `${id}.bundle`),
    partFile: (id: string) => join(inboxDir, `${id}.bundle.part`),
    statusDir,
    statusFile: join(statusDir, 'status.json'),
  };
}

export const UPDATE_SOURCES = ['app', 'cli', 'remote'] as const;
export type UpdateSource = (typeof UPDATE_SOURCES)[number];

const requestId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and dashes');

/** request.json: written by hubd last, after the bundle, by an atomic rename. */
export const updateRequestSchema = z.strictObject({
  format: z.literal(1),
  id: requestId,
  source: z.enum(UPDATE_SOURCES),
  /** The bundle's file name in the inbox: `<id>.bundle`. */
  bundle: z.string().regex(/^[A-Za-z0-9-]{1,64}\.bundle$/),
  requestedAtMs: z.number().int().nonnegative(),
  /** Who asked: a user name, `server`, or `cli`. For the record only. */
  by: z.string().max(100),
});
export type UpdateRequest = z.infer<typeof updateRequestSchema>;

export const UPDATE_STATES = [
  'queued', // hub-updater took the request
  'verifying', // signature, hash, version rules
  'installing', // the install's steps (`step` says which)
  'installed',
  'rolled-back', // the new release did not become ready; the old one runs, `reason` says why
  'refused', // verification failed; nothing changed; `code` and `reason` say why
  'failed', // the updater itself failed (`reason`); recovery runs at its next start
] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];
export const FINAL_UPDATE_STATES: readonly UpdateState[] = ['installed', 'rolled-back', 'refused', 'failed'];

/** status.json: replaced atomically by hub-updater at every change. */
export const updateStatusSchema = z.strictObject({
  format: z.literal(1),
  id: requestId,
  source: z.enum(UPDATE_SOURCES),
  state: z.enum(UPDATE_STATES),
  /** The install journal's step (`unpack`, `stop`, … `await-ready`, `stop-new`, …). */
  step: z.string().max(40).optional(),
  version: z.string().max(40).optional(),
  fromVersion: z.string().max(40).optional(),
  /** A refusal's code (bad-signature, bad-payload, not-newer, too-old, busy, …). */
  code: z.string().max(40).optional(),
  reason: z.string().max(500).optional(),
  updatedAtMs: z.number().int().nonnegative(),
});
export type UpdateStatus = z.infer<typeof updateStatusSchema>;

/**
 * Downloads a bundle to `file` over HTTP(S), resuming a `<file>.part` left by an earlier try
 * (Range), and checks its length and sha256 before renaming it into place. Rejects with a reason
 * a person can read; never leaves a wrong file under `file`.
 */
export type DownloadBundle = (opts: {
  url: string;
  file: string;
  sha256: string;
  bytes: number;
  onProgress: (receivedBytes: number, totalBytes: number) => void;
  signal: AbortSignal;
}) => Promise<void>;

/** A remote update command that passed its signature check (src/updater/remote-command.ts). */
export interface RemoteUpdateOrder {
  id: string;
  version: string;
  url: string;
  sha256: string;
  bytes: number;
}

/** What hubd's update module offers the others (the server connection). */
export interface UpdateTriggers {
  /** Downloads the bundle and hands it to hub-updater; the progress goes to the listeners. */
  fromRemote(order: RemoteUpdateOrder): void;
  /** Everything a person or the server should know now: the download, then hub-updater's status. */
  progress(): UpdateProgress;
  onProgress(listener: (progress: UpdateProgress) => void): () => void;
}

export type UpdateProgress =
  | { state: 'idle'; currentVersion: string }
  | {
      state: 'downloading';
      id: string;
      source: UpdateSource;
      receivedBytes: number;
      totalBytes: number;
      currentVersion: string;
    }
  | { state: 'download-failed'; id: string; source: UpdateSource; reason: string; currentVersion: string }
  | { state: 'waiting'; id: string; source: UpdateSource; currentVersion: string } // request in the inbox
  | ({ currentVersion: string } & UpdateStatus);
