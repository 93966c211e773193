import { join } from 'node:path';
import { controlSocketPath } from '../../src/api/control/control-socket-path.js';
import { acquireRunLock } from '../../src/config/run-lock.fs.js';

/**
 * Takes the data dir's run lock for an in-process test hub, as hubd's main.ts does, so that the
 * `hub` command finds its control socket (ADR 009). Released at teardown.
 */
export async function holdLockAsHubd(
  teardown: { add: (c: () => unknown) => void },
  dataDir: string,
  runDir = join(dataDir, 'run'),
): Promise<void> {
  const lock = await acquireRunLock(dataDir, 'hubd', { socket: controlSocketPath(runDir) });
  teardown.add(() => lock.release());
}
