// How long each device has really run, from its own state reports (issue 14 item 8: measured,
// not assumed). Pure: times come in as arguments.

/** What is kept of a device's runs across a restart (a started block must not move). */
export interface DeviceRuns {
  onSinceS: number | null;
  /** Closed on-runs, oldest first. */
  runs: { startS: number; endS: number }[];
}

const KEEP_S = 3 * 86_400;

export class RunTracker {
  private readonly devices = new Map<number, DeviceRuns>();
  /** On when the hub last saw it (before a restart): an off report closes the run then. */
  private readonly lostSight = new Map<number, number>();

  /** The device reported itself on or off at `atS`; true when that changed what is known. */
  note(deviceId: number, on: boolean, atS: number): boolean {
    const d = this.devices.get(deviceId) ?? { onSinceS: null, runs: [] };
    this.devices.set(deviceId, d);
    const changed = on !== (d.onSinceS !== null);
    const lostAtS = this.lostSight.get(deviceId);
    this.lostSight.delete(deviceId);
    if (on && d.onSinceS === null) d.onSinceS = atS;
    if (!on && d.onSinceS !== null) {
      // Off when first heard of after a restart: it may have gone off any time since; counted
      // from when the hub last saw it on (it runs more, never less, than it needs).
      const endS = Math.min(atS, lostAtS ?? atS);
      if (endS > d.onSinceS) d.runs.push({ startS: d.onSinceS, endS });
      d.onSinceS = null;
    }
    while (d.runs.length > 0 && d.runs[0]!.endS < atS - KEEP_S) d.runs.shift();
    return changed;
  }

  /** Seconds it was on within [fromS, toS). */
  ranS(deviceId: number, fromS: number, toS: number): number {
    const d = this.devices.get(deviceId);
    if (!d) return 0;
    const open = d.onSinceS === null ? [] : [{ startS: d.onSinceS, endS: toS }];
    let total = 0;
    for (const r of [...d.runs, ...open])
      total += Math.max(0, Math.min(r.endS, toS) - Math.max(r.startS, fromS));
    return total;
  }

  /** Since when it is on (as reported), or null. */
  onSinceS(deviceId: number): number | null {
    return this.devices.get(deviceId)?.onSinceS ?? null;
  }

  /** A copy of what is known of the device's runs, to be kept. */
  snapshot(deviceId: number): DeviceRuns {
    const d = this.devices.get(deviceId);
    return { onSinceS: d?.onSinceS ?? null, runs: d ? d.runs.map((r) => ({ ...r })) : [] };
  }

  /** What was kept before a restart, last saved at `savedAtS`. */
  restore(deviceId: number, kept: DeviceRuns, savedAtS: number): void {
    this.devices.set(deviceId, { onSinceS: kept.onSinceS, runs: kept.runs.map((r) => ({ ...r })) });
    if (kept.onSinceS !== null) this.lostSight.set(deviceId, Math.max(kept.onSinceS, savedAtS));
  }

  forget(deviceId: number): void {
    this.devices.delete(deviceId);
    this.lostSight.delete(deviceId);
  }
}
