// Steps that bring an older hub.json up to the version this hub's schema describes, as the SQLite
// migrations do for hub.db. Pure: config-file.fs.ts reads, backs up and rewrites the file.

/** One step of hub.json from version `from` to `from + 1`: a rewrite of the parsed file. */
export interface ConfigMigration {
  from: number;
  /** What the step changes, for the log line that reports it. */
  name: string;
  up(raw: Record<string, unknown>): Record<string, unknown>;
}

/**
 * hub.json's steps in order, the first from version 1. When a setting is renamed, moved or read
 * differently, add a step here and describe only the new shape in schema.ts: files written by an
 * older hub are rewritten at the next start (with a backup), newer ones are refused.
 */
export const CONFIG_MIGRATIONS: readonly ConfigMigration[] = [];

/** The version this hub writes and reads: one past the last step. */
export const CONFIG_VERSION = configVersionOf(CONFIG_MIGRATIONS);

export function configVersionOf(migrations: readonly ConfigMigration[]): number {
  migrations.forEach((m, i) => {
    if (m.from !== i + 1)
      throw new Error(`hub.json migration ${i + 1} ("${m.name}") starts from version ${m.from}`);
  });
  return migrations.length + 1;
}

export type MigrationResult =
  | { ok: true; raw: unknown; fromVersion: number; toVersion: number; applied: string[] }
  | { ok: false; problem: string };

/**
 * Runs the steps from the file's version to the current one on a copy of `raw`. A file without a
 * version is version 1 (the first hub wrote none when it was the default). Anything that is not an
 * object is returned as it is, for validation to describe.
 */
export function migrateConfig(
  raw: unknown,
  source: string,
  migrations: readonly ConfigMigration[] = CONFIG_MIGRATIONS,
): MigrationResult {
  const current = configVersionOf(migrations);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return { ok: true, raw, fromVersion: current, toVersion: current, applied: [] };
  const found = (raw as Record<string, unknown>).version;
  const version = found === undefined ? 1 : found;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1)
    return {
      ok: false,
      problem: `${source}: field "version": expected a config version from 1 to ${current}, found ${JSON.stringify(found)}`,
    };
  if (version > current)
    return {
      ok: false,
      problem:
        `${source}: field "version": this hub reads config versions up to ${current}, found ${version}; ` +
        'the file was written by a newer hub (install that version again, or restore the backup it left beside the file)',
    };
  let next = structuredClone(raw) as Record<string, unknown>;
  const applied: string[] = [];
  for (const step of migrations.slice(version - 1)) {
    next = { ...step.up(next), version: step.from + 1 };
    applied.push(`${step.from} → ${step.from + 1}: ${step.name}`);
  }
  return { ok: true, raw: next, fromVersion: version, toVersion: current, applied };
}
