import { after } from 'node:test';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';

type Closer = () => unknown;

// Handles Node itself keeps open in a test process (stdio, the runner's IPC channel), and file
// requests in flight (a cold module-compile cache closes its files while a test file ends).
const BENIGN = new Set(['TTYWrap', 'PipeWrap', 'ProcessWrap', 'FSReqCallback', 'FSReqPromise', 'CloseReq']);

// Where each live timer was created, so a leak report says whose it is.
type TimerLike = { _destroyed?: boolean; hasRef?: () => boolean };
const timerOrigins = new Map<number, { timer: TimerLike; stack: string }>();
createHook({
  init(asyncId, type, _trigger, resource) {
    if (type !== 'Timeout') return;
    const stack = new Error().stack?.split('\n').slice(3, 9).join('\n') ?? '';
    timerOrigins.set(asyncId, { timer: resource as TimerLike, stack });
  },
  destroy(asyncId) {
    timerOrigins.delete(asyncId);
  },
}).enable();

/**
 * Collects closers for everything a test file opens and, after the file's tests, closes them
 * last-first and fails the run if a socket, server, child or timer of ours is still open.
 */
export function useTeardown(): { add: (closer: Closer) => void } {
  const closers: Closer[] = [];
  after(async () => {
    for (const close of closers.reverse()) await close();
    // A handle that is ours stays open; one the loader opened at start (tsx's IPC probe, seen as a
    // ConnectWrap in the fastest files on a loaded machine) closes by itself within moments.
    let leaked: string[] = [];
    for (let waitedMs = 0; waitedMs <= 1000; waitedMs += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      leaked = process.getActiveResourcesInfo().filter((kind) => !BENIGN.has(kind) && kind !== 'Timeout');
      if (leaked.length === 0) break;
    }
    assert.deepEqual(leaked, [], `leaked handles in ${process.argv[1] ?? '?'}: ${leaked.join(', ')}`);
    // Unref'd timers (Node's HTTP date cache, fetch's clock) never keep a process alive; the
    // test runner's own hook timeouts are not ours either.
    const ours = [...timerOrigins.values()]
      .filter(({ timer }) => !timer._destroyed && timer.hasRef?.() !== false)
      .filter(({ stack }) => !stack.includes('node:internal/test_runner'))
      .map(({ stack }) => stack)
      .filter((stack) => !stack.includes('helpers/teardown.ts'));
    assert.deepEqual(
      ours,
      [],
      `leaked timers in ${process.argv[1] ?? '?'}, created at:\n${ours.join('\n---\n')}`,
    );
  });
  return { add: (closer) => void closers.push(closer) };
}
