import { describeError } from './errors.js';

/**
 * Error codes of a start failure that can go away by itself: a port another program frees, an
 * interface that comes up late (a Pi's network after boot), a peer not up yet, resources that free.
 * Anything else (EACCES/EPERM on a port below 1024, a missing file, a bad certificate) stays as it
 * is until a person acts, so retrying it forever only fills the log.
 */
const HEALABLE_CODES: ReadonlySet<string> = new Set([
  'EADDRINUSE',
  'EADDRNOTAVAIL',
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'ERR_WORKER_INIT_FAILED',
  'ERR_WORKER_OUT_OF_MEMORY',
]);

/** A start failure its component knows can heal (a worker thread that could not load). */
export class TransientStartError extends Error {
  constructor(cause: unknown) {
    super(describeError(cause), { cause });
    this.name = 'TransientStartError';
  }
}

/** Whether starting again later can succeed without a person changing anything. */
export function canStartFailureHeal(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof TransientStartError) return true;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && HEALABLE_CODES.has(code)) return true;
  }
  return false;
}

/** Why a component could not start, in words a person acts on (shown in /readyz and the web app). */
export function startFailureReason(err: unknown): string {
  const e = err as { code?: unknown; syscall?: unknown; port?: unknown; address?: unknown };
  if (e?.syscall === 'listen' || e?.code === 'EADDRINUSE') {
    if (e.code === 'EADDRINUSE') return `port ${String(e.port)} is in use by another program`;
    if (e.code === 'EACCES') return `no permission to listen on port ${String(e.port)}`;
    if (e.code === 'EADDRNOTAVAIL') return `address ${String(e.address)} is not on this machine`;
  }
  return describeError(err);
}
