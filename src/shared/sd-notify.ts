import type { CancelTimer, Clock } from './clock.js';

// systemd's notify protocol for hubd.service (Type=notify, WatchdogSec=): READY=1 once the hub is
// ready as /readyz means it, then WATCHDOG=1 at half the watchdog interval while the event loop
// runs. Pure: the datagram is sent by an injected `send` (sd-notify.process.ts), and it is not yet
// wired into main.ts (README, "The appliance image").

export type SdNotifySend = (states: string[]) => Promise<void>;

export interface SdNotifyPlan {
  /** How often to send WATCHDOG=1: half of WATCHDOG_USEC; undefined when no watchdog is set. */
  watchdogEveryMs: number | undefined;
  /** How often to look at readiness until READY=1 has gone. */
  readyPollMs: number;
}

const READY_POLL_MS = 1000;

/** What systemd asked of this process, from its environment; undefined outside Type=notify. */
export function planSdNotify(env: Record<string, string | undefined>, pid: number): SdNotifyPlan | undefined {
  if (!env.NOTIFY_SOCKET) return undefined;
  const usec = Number(env.WATCHDOG_USEC);
  // WATCHDOG_PID names the process the watchdog is for; a child that inherited it must not feed it.
  const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === pid;
  const watchdogEveryMs =
    forUs && Number.isFinite(usec) && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : undefined;
  return { watchdogEveryMs, readyPollMs: READY_POLL_MS };
}

export interface SdNotifyDeps {
  plan: SdNotifyPlan;
  clock: Clock;
  isReady: () => boolean;
  send: SdNotifySend;
  /** A failed send is reported, never thrown: systemd's timeout is what acts on it. */
  onError: (err: unknown) => void;
}

/** Starts the notifications; returns what stops them (hubd's stop, before it exits). */
export function startSdNotify(deps: SdNotifyDeps): CancelTimer {
  const { plan, clock, isReady, send, onError } = deps;
  const post = (states: string[]) => void send(states).catch(onError);
  let cancelReady: CancelTimer | undefined;
  const checkReady = () => {
    if (!isReady()) return;
    cancelReady?.();
    cancelReady = undefined;
    post(['READY=1', 'STATUS=ready']);
  };
  cancelReady = clock.every(plan.readyPollMs, checkReady);
  const cancelWatchdog =
    plan.watchdogEveryMs === undefined
      ? undefined
      : clock.every(plan.watchdogEveryMs, () => post(['WATCHDOG=1']));
  checkReady();
  return () => {
    cancelReady?.();
    cancelWatchdog?.();
  };
}
