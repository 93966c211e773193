import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { acquireRunLock, RunLockHeld, type LockHolder, type RunLock } from './run-lock.fs.js';

const FIRST_WAIT_MS = 250;
const MAX_WAIT_MS = 5000;

/**
 * hubd's lock for as long as it runs (released when the process exits), or undefined if another
 * hubd holds it: then the reason is logged and printed, and hubd must not start. While a `hub`
 * command holds it (an import may take an hour) hubd waits, polling on the clock with backoff,
 * rather than exiting into a restart loop.
 */
export async function holdRunLockForHubd(
  dataDir: string,
  controlSocket: string,
  clock: Clock,
  log: Pick<Logger, 'info' | 'warn' | 'error'>,
  stderr: (text: string) => void,
): Promise<RunLock | undefined> {
  let waitMs = FIRST_WAIT_MS;
  let waitingFor: string | undefined;
  for (;;) {
    try {
      const lock = await acquireRunLock(dataDir, 'hubd', { socket: controlSocket });
      process.on('exit', () => void lock.release()); // the kernel lets go of the lock itself
      const gone = lock.takenOver;
      if (gone)
        log.warn(
          { lock: lock.path, pid: gone.pid },
          `took over the lock of a ${gone.role === 'hubd' ? 'hubd' : 'hub command'} (pid ${gone.pid}) that is no longer running`,
        );
      return lock;
    } catch (err) {
      if (!(err instanceof RunLockHeld)) throw err;
      if (err.holder?.role === 'hubd') {
        log.error({ lock: err.path, holder: err.holder }, `${err.message}; hubd did not start`);
        stderr(`${err.message}\nhubd did not start.\n`);
        return undefined;
      }
      const what = describeWaitFor(err.holder);
      if (what !== waitingFor) log.info({ lock: err.path, holder: err.holder }, `waiting for ${what}`);
      waitingFor = what;
    }
    await clock.sleep(waitMs);
    waitMs = Math.min(waitMs * 2, MAX_WAIT_MS);
  }
}

function describeWaitFor(holder: LockHolder | undefined): string {
  if (!holder) return 'the process taking the lock';
  return `hub ${holder.command ?? 'command'} (pid ${holder.pid})`;
}
