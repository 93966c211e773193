import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Backups } from '../../backup/ports.js';
import { backupFileName } from '../../backup/manifest.js';
import type { RouteDef } from '../route-table.js';

export interface BackupRouteDeps {
  backups: Backups;
  hostname: string;
  nowMs: () => number;
}

/**
 * GET /api/v1/backup: the whole hub as one file (docs/backup.md). It is made on the data disk first,
 * with the flusher held off only that long (a slow download must not hold back the feed writes),
 * then unlinked while open, so it is gone from the disk whatever happens to the download.
 */
export function backupRoutes(deps: BackupRouteDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/backup',
      access: 'admin',
      secrets: true,
      handler: async (_req, res) => {
        const name = backupFileName(deps.hostname, deps.nowMs());
        const file = join(deps.backups.dir, `.${randomBytes(6).toString('hex')}-${name}`);
        const written = await deps.backups.create(file);
        const handle = await open(file, 'r');
        await unlink(file);
        res.writeHead(200, {
          'content-type': 'application/gzip',
          'content-length': String(written.bytes),
          'content-disposition': `attachment; filename="${name}"`,
          'cache-control': 'no-store',
        });
        await pipeline(createReadStream('', { fd: handle }), res).catch(() => undefined); // the client left
      },
    },
  ];
}
