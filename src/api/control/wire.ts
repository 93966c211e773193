import type { AuthPorts } from '../../auth/wire.js';
import type { BackupPorts } from '../../backup/ports.js';
import type { DevicePorts } from '../../devices/wire.js';
import { PROCESSES } from '../../ingest/process-catalog.js';
import type { ProcessStep } from '../../ingest/process-types.js';
import type { IngestPorts } from '../../ingest/wire.js';
import type { ModuleContext, WiredModule } from '../../module-context.js';
import type { TimeseriesPorts } from '../../timeseries/wire.js';
import { controlSocketPath } from './control-socket-path.js';
import { ControlSocket } from './control-socket.net.js';
import { hubCommands } from './hub-commands.js';

type Ctx = Pick<ModuleContext, 'paths' | 'log'> &
  AuthPorts &
  TimeseriesPorts &
  DevicePorts &
  IngestPorts &
  Partial<BackupPorts>;

/**
 * The control socket (ADR 009): the `hub` command's writes run here, on hubd's own services, so
 * ingest takes an imported feed at once and a repair never meets the flusher mid-write.
 */
export function wireControl(ctx: Ctx): WiredModule<Record<string, never>> {
  const { auth, feeds, flusher, devices, ingest } = ctx;
  const commands = hubCommands({
    auth,
    feeds,
    devices,
    live: true,
    backups: ctx.backups,
    exclusive: (fn) => flusher.exclusive(fn),
    // Through ingest, whose registry holds the process lists in memory.
    processLists: {
      rewriteFeedIds: (newIds) =>
        ingest.list().flatMap((input) => {
          const steps = retargetFeedSteps(input.processList, newIds);
          if (!steps) return [];
          ingest.setProcessList(input.id, steps);
          return [{ id: input.id, node: input.node, name: input.name }];
        }),
    },
  });
  const socket = new ControlSocket(
    commands,
    controlSocketPath(ctx.paths.runDir),
    ctx.log.child({ component: 'control-socket' }),
  );
  return { components: [socket], routes: [], ports: {} };
}

/** The steps with feed arguments moved to their new ids, or undefined if none moves. */
export function retargetFeedSteps(
  steps: readonly ProcessStep[],
  newIds: ReadonlyMap<number, number>,
): ProcessStep[] | undefined {
  let moved = false;
  const out = steps.map((step) => {
    const to = PROCESSES.get(step.id)?.argType === 'feed' ? newIds.get(Number(step.arg)) : undefined;
    if (to === undefined) return step;
    moved = true;
    return { ...step, arg: to };
  });
  return moved ? out : undefined;
}
