/** One numbered schema step owned by a capability; `up` is plain SQL run in a transaction. */
export interface Migration {
  capability: string;
  version: number;
  name: string;
  up: string;
}

/** Checks a capability's list is numbered 1..n without gaps; returns it sorted. */
export function orderMigrations(migrations: readonly Migration[]): Migration[] {
  const sorted = [...migrations].sort(
    (a, b) => a.capability.localeCompare(b.capability) || a.version - b.version,
  );
  const next = new Map<string, number>();
  for (const m of sorted) {
    const expected = next.get(m.capability) ?? 1;
    if (m.version !== expected) {
      throw new Error(`migrations of "${m.capability}": expected version ${expected}, found ${m.version}`);
    }
    next.set(m.capability, expected + 1);
  }
  return sorted;
}
