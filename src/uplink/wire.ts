import { join } from 'node:path';
import { serverConnectionRoutes } from '../api/routes/server-connection.js';
import type { ModuleContext, WiredModule } from '../module-context.js';
import type { UpdateTriggers } from '../updater/update-inbox.js';
import type { ServerConnectionView } from './ports.js';
import { fileReplayMark } from './replay-mark.fs.js';
import { DEFAULT_UPDATE_KEY_FILE, readUpdatePublicKey } from './update-key.fs.js';
import { mqttUplink } from './uplink-client.net.js';
import { UplinkService } from './uplink-service.js';

export interface UplinkPorts {
  serverConnection: () => ServerConnectionView;
}

const NOT_CONFIGURED: ServerConnectionView = {
  configured: false,
  connected: false,
  url: null,
  hubId: null,
  lastError: null,
  refusedCommands: 0,
};

/** The outgoing connection to the project server (docs/updates.md, Remote trigger); none unless configured. */
export function wireUplink(
  ctx: ModuleContext & { updates: UpdateTriggers; env?: NodeJS.ProcessEnv },
): WiredModule<UplinkPorts> {
  const settings = ctx.config.server;
  if (!settings) {
    const view = () => NOT_CONFIGURED;
    return { components: [], routes: serverConnectionRoutes(view), ports: { serverConnection: view } };
  }
  const log = ctx.log.child({ component: 'server-connection' });
  const keyFile = (ctx.env ?? process.env).HUB_UPDATE_KEY ?? DEFAULT_UPDATE_KEY_FILE;
  const key = readUpdatePublicKey(keyFile);
  const service = new UplinkService({
    connect: mqttUplink(settings, ctx.realClock),
    updates: ctx.updates,
    publicKey: key.key,
    ...(key.key ? {} : { keyProblem: key.reason }),
    replay: fileReplayMark(join(ctx.paths.dataDir, 'remote-command.json')),
    url: settings.url,
    hubId: settings.hubId,
    topicPrefix: settings.topicPrefix,
    clock: ctx.clock,
    log,
  });
  const view = () => service.view();
  return { components: [service], routes: serverConnectionRoutes(view), ports: { serverConnection: view } };
}
