import type { Readable } from 'node:stream';
import type { UpdateProgress } from '../../updater/update-inbox.js';
import type { UpdateAccepted, UpdateInfo } from '../contract.js';
import { principalOf, type RouteDef } from '../route-table.js';

/** What the routes drive: UpdateTriggerService (src/updater/update-trigger-service.ts). */
export interface UpdateRouteDeps {
  readonly available: boolean;
  progress(): UpdateProgress;
  fromUpload(from: Readable, by: string): Promise<{ id: string }>;
  /** The largest bundle taken (a Content-Length above it is refused before reading). */
  maxBundleBytes: number;
  unavailableReason: string;
}

/**
 * The app's updates panel (docs/updates.md). hubd only puts the bundle in hub-updater's inbox;
 * hub-updater verifies its signature, so an admin's write API key may upload too (a script), and
 * a read key is refused by the guard like any other change.
 */
export function updateRoutes(deps: UpdateRouteDeps): RouteDef[] {
  return [
    {
      method: 'get',
      path: '/api/v1/update',
      access: 'admin',
      handler: (_req, res) => {
        const info: UpdateInfo = { available: deps.available, progress: deps.progress() };
        res.json(info);
      },
    },
    {
      method: 'post',
      path: '/api/v1/update/bundle',
      access: 'admin',
      streamedBody: true,
      handler: async (req, res) => {
        if (!deps.available) {
          res.status(503).json({ error: deps.unavailableReason, code: 'updates_unavailable' });
          return;
        }
        // Any other type may have been parsed already (JSON, forms); the bundle must arrive whole.
        if (!req.is('application/octet-stream')) {
          res.status(415).json({
            error: 'send the bundle as the body with Content-Type: application/octet-stream',
            code: 'unsupported_media_type',
          });
          return;
        }
        const declaredBytes = Number(req.get('content-length') ?? 0);
        if (declaredBytes > deps.maxBundleBytes) {
          res.set('connection', 'close');
          res.status(413).json({
            error: `the bundle is larger than ${deps.maxBundleBytes} bytes`,
            code: 'too_large',
          });
          return;
        }
        const accepted: UpdateAccepted = await deps.fromUpload(req, principalOf(res).username);
        res.status(202).json(accepted);
      },
    },
  ];
}
