import { updateRoutes } from '../api/routes/update-routes.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import { createBundleDownload } from './bundle-download.net.js';
import { MAX_BUNDLE_BYTES, openInbox } from './inbox.fs.js';
import type { DownloadBundle, UpdateTriggers } from './update-inbox.js';
import { UPDATES_UNAVAILABLE, UpdateTriggerService } from './update-trigger-service.js';

export interface UpdatePorts {
  updates: UpdateTriggers;
}

type Ctx = Pick<ModuleContext, 'paths' | 'clock' | 'log' | 'version'>;

/**
 * hubd's update module (ADR 011): the app's upload and the server's order become a bundle and a
 * request in hub-updater's inbox under HUB_APP_DIR; without it (not the appliance image) the
 * routes answer 503. `download` replaces the HTTP(S) bundle downloader (tests).
 */
export function wireUpdates(ctx: Ctx, opts: { download?: DownloadBundle } = {}): WiredModule<UpdatePorts> {
  const appDir = ctx.paths.appDir;
  const service = new UpdateTriggerService({
    inbox: appDir ? openInbox(appDir) : null,
    download: opts.download ?? createBundleDownload({ clock: ctx.clock }),
    clock: ctx.clock,
    log: ctx.log.child({ component: 'updates' }),
    currentVersion: ctx.version.version,
  });
  const routes = updateRoutes({
    get available() {
      return service.available;
    },
    progress: () => service.progress(),
    fromUpload: (from, by) => service.fromUpload(from, by),
    maxBundleBytes: MAX_BUNDLE_BYTES,
    unavailableReason: UPDATES_UNAVAILABLE,
  });
  return { components: [service], routes, ports: { updates: service } };
}
