// hubd under systemd. The unit name and the rights to stop and start it (a polkit rule or the
// updater running as root) come from the image (issue 15, items 1–2).
import { execFile } from 'node:child_process';
import type { ServiceManager } from './ports.js';

function systemctl(verb: string, unit: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('systemctl', [verb, unit], (err, _stdout, stderr) =>
      err ? reject(new Error(`systemctl ${verb} ${unit}: ${stderr.trim() || err.message}`)) : resolve(),
    ),
  );
}

export function systemdService(unit = 'hubd.service'): ServiceManager {
  return {
    stop: () => systemctl('stop', unit),
    // A release that crash-looped leaves the unit failed by its start limit, and systemd then
    // refuses a start (also the rollback's start of the old release) until the count is reset.
    start: async () => {
      await systemctl('reset-failed', unit).catch(() => undefined);
      await systemctl('start', unit);
    },
  };
}
