// What a backup holds and how a restore knows it is whole: the first entry says what the file is
// (so a foreign file is refused before anything is unpacked), the last lists every file with its
// size and sha256. Pure: the archive's I/O is in backup-writer.fs.ts and backup-reader.fs.ts.

/** Raised by a restore for a file it will not restore; nothing has been changed when it is. */
export class BackupRefused extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'BackupRefused';
  }
}

export const BACKUP_KIND = 'energy-hub-backup';
/** Bumped when a restore of this hub could not read what an older one wrote. */
export const BACKUP_FORMAT = 1;
export const HEADER_PATH = 'energy-hub-backup.json';
export const MANIFEST_PATH = 'manifest.json';
/** Most entries a restore takes: 20 000 feeds of five files each, with room. */
export const MAX_ENTRIES = 100_000;

export interface BackupHeader {
  kind: typeof BACKUP_KIND;
  format: number;
  hubVersion: string;
  createdAtMs: number;
  /** The same instant as ISO 8601 UTC, for a person reading the file. */
  createdAt: string;
  hostname: string;
}

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface BackupManifest extends BackupHeader {
  files: ManifestFile[];
}

export function buildHeader(hubVersion: string, createdAtMs: number, hostname: string): BackupHeader {
  const createdAt = new Date(createdAtMs).toISOString();
  return { kind: BACKUP_KIND, format: BACKUP_FORMAT, hubVersion, createdAtMs, createdAt, hostname };
}

export function buildManifest(header: BackupHeader, files: readonly ManifestFile[]): BackupManifest {
  return { ...header, files: [...files] };
}

/**
 * The paths a backup may hold: hub.db, hub.json, a feed's PHPFina and rollup files, the broker's
 * TLS material. Anything else in an archive (`../x`, `/etc/…`, a stray file) refuses the restore.
 */
export function isBackupPath(path: string): boolean {
  return /^(hub\.db|hub\.json|feeds\/\d{1,9}\.(dat|meta|r\d{1,6})|tls\/[A-Za-z0-9_-][A-Za-z0-9._-]{0,63})$/.test(
    path,
  );
}

/** The feed a file under feeds/ belongs to (`12.r600` → 12), or undefined for another name. */
export function feedIdOfFile(name: string): number | undefined {
  const id = /^(\d{1,9})\.(dat|meta|r\d{1,6})$/.exec(name)?.[1];
  return id === undefined ? undefined : Number(id);
}

/** The header entry's text read back; refuses a file that is not a backup or is of a newer format. */
export function parseHeader(text: string, hubVersion: string): BackupHeader {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupRefused(`its ${HEADER_PATH} is not JSON`);
  }
  const h = value as Partial<BackupHeader>;
  if (h?.kind !== BACKUP_KIND) throw new BackupRefused(`its ${HEADER_PATH} is not an Energy Hub backup's`);
  if (typeof h.format !== 'number' || h.format > BACKUP_FORMAT)
    throw new BackupRefused(
      `it is of backup format ${String(h.format)}, and this hub (${hubVersion}) reads format ${BACKUP_FORMAT}: update this hub first`,
    );
  if (typeof h.hubVersion !== 'string' || typeof h.createdAtMs !== 'number' || typeof h.hostname !== 'string')
    throw new BackupRefused(`its ${HEADER_PATH} lacks the hub version, time or host name`);
  // hub.db and hub.json of a newer hub carry migrations this one does not know.
  if (compareVersions(h.hubVersion, hubVersion) > 0)
    throw new BackupRefused(
      `it was made by hub ${h.hubVersion}, newer than this hub (${hubVersion}): update this hub first`,
    );
  return h as BackupHeader;
}

export function parseManifest(text: string): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupRefused(`its ${MANIFEST_PATH} is not JSON`);
  }
  const m = value as Partial<BackupManifest>;
  const filesOk =
    Array.isArray(m?.files) &&
    m.files.every(
      (f: Partial<ManifestFile>) =>
        typeof f?.path === 'string' && Number.isSafeInteger(f.bytes) && /^[0-9a-f]{64}$/.test(f.sha256 ?? ''),
    );
  if (!filesOk) throw new BackupRefused(`its ${MANIFEST_PATH} does not list files with sizes and sha256`);
  return m as BackupManifest;
}

/**
 * Every problem between what the manifest lists and what the archive held (path → size and
 * sha256 as read), and between the manifest and the header. Empty: the backup is whole.
 */
export function verifyManifest(
  header: BackupHeader,
  manifest: BackupManifest,
  found: ReadonlyMap<string, { bytes: number; sha256: string }>,
): string[] {
  const problems: string[] = [];
  for (const key of ['kind', 'format', 'hubVersion', 'createdAtMs', 'hostname'] as const)
    if (manifest[key] !== header[key]) problems.push(`the manifest's ${key} differs from the header's`);
  const listed = new Set<string>();
  for (const file of manifest.files) {
    if (listed.has(file.path)) problems.push(`${file.path} is listed twice`);
    listed.add(file.path);
    const got = found.get(file.path);
    if (!got) problems.push(`${file.path} is listed but not in the archive`);
    else if (got.bytes !== file.bytes)
      problems.push(`${file.path} has ${got.bytes} bytes, not ${file.bytes}`);
    else if (got.sha256 !== file.sha256) problems.push(`${file.path} fails its sha256 (changed or damaged)`);
  }
  for (const path of found.keys()) if (!listed.has(path)) problems.push(`${path} is not in the manifest`);
  if (!listed.has('hub.db')) problems.push('it holds no hub.db');
  return problems;
}

/** Compares dotted versions numerically (`0.10.0` > `0.9.1`); a pre-release suffix is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .split(/[-+]/)[0]!
      .split('.')
      .map((p) => Number(p) || 0);
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** `hub-backup-<host>-20261128-041500.tar.gz` (UTC): sorts by time, says whose it is. */
export function backupFileName(hostname: string, createdAtMs: number): string {
  const stamp = new Date(createdAtMs).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const host = hostname.replace(/[^A-Za-z0-9-]/g, '').slice(0, 40) || 'hub';
  return `hub-backup-${host}-${stamp}.tar.gz`;
}
