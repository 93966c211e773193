import type { WrittenBackup } from './backup-writer.fs.js';

export interface Backups {
  /** Writes a backup of this hub to `outFile` (0600), with buffered points written first. */
  create(outFile: string): Promise<WrittenBackup>;
  /** The folder hubd writes backups in (its own, inside the data dir). */
  readonly dir: string;
}

export interface BackupPorts {
  backups: Backups;
}
