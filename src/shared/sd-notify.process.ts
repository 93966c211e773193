import { execFile } from 'node:child_process';
import type { SdNotifySend } from './sd-notify.js';

/**
 * Sends notify states with systemd-notify(1): Node has no unix datagram sockets. The message comes
 * from the child's PID, so the unit needs NotifyAccess=all; systemd finds the unit by the sender's
 * cgroup, which the child shares with hubd.
 */
export function systemdNotifySender(env: Record<string, string | undefined>): SdNotifySend {
  return (states) =>
    new Promise((resolve, reject) => {
      execFile(
        'systemd-notify',
        states,
        { env: { NOTIFY_SOCKET: env.NOTIFY_SOCKET }, timeout: 5000 },
        (err) => (err ? reject(err) : resolve()),
      );
    });
}
