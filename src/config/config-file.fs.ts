import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CONFIG_MIGRATIONS,
  configVersionOf,
  migrateConfig,
  type ConfigMigration,
} from './config-migrations.js';
import { configSchema, isIanaTimezone, needsRestart, type HubConfig } from './schema.js';
import { applyEnvOverrides, configWarnings, validateConfig } from './validate.js';

/** Where hubd keeps its files; HUB_DATA_DIR is the one root (./data in development). */
export interface HubPaths {
  dataDir: string;
  runDir: string;
  configFile: string;
  dbFile: string;
  /** hub-updater's app dir (HUB_APP_DIR, /data/app on the appliance): the update inbox is there. */
  appDir?: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`The hub's configuration is not valid:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export function resolvePaths(env: Record<string, string | undefined>): HubPaths {
  const dataDir = resolve(env.HUB_DATA_DIR || 'data');
  return {
    dataDir,
    runDir: resolve(env.HUB_RUN_DIR || join(dataDir, 'run')),
    configFile: join(dataDir, 'hub.json'),
    dbFile: join(dataDir, 'hub.db'),
    ...(env.HUB_APP_DIR ? { appDir: resolve(env.HUB_APP_DIR) } : {}),
  };
}

export interface LoadedConfig {
  config: HubConfig;
  paths: HubPaths;
  /** True when hub.json did not exist and was written with defaults. */
  created: boolean;
  /** Settings hub.json holds that are read differently than written; logged once at start. */
  warnings: string[];
  /** Set when hub.json was written by an older hub and brought up to date (logged at start). */
  migrated?: ConfigMigrated;
}

export interface ConfigMigrated {
  fromVersion: number;
  toVersion: number;
  steps: string[];
  /** The file as it was; undefined for a read-only load, which leaves hub.json as it is. */
  backupFile?: string;
}

/**
 * Reads hub.json (creating it with defaults on first start unless `readOnly`), brings a file
 * written by an older hub up to date (rewriting it, with a backup, unless `readOnly`), validates
 * it, then applies HUB_* overrides. Throws ConfigError naming file or variable, field, expected,
 * found.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  opts: { readOnly?: boolean; migrations?: readonly ConfigMigration[] } = {},
): LoadedConfig {
  const paths = resolvePaths(env);
  let created = false;
  let raw: unknown;
  let migrated: ConfigMigrated | undefined;
  if (existsSync(paths.configFile)) {
    ({ raw, migrated } = readConfigFile(paths.configFile, !opts.readOnly, opts.migrations));
  } else if (opts.readOnly) {
    raw = {};
  } else {
    raw = defaultConfigFile();
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    writeAtomically(paths.configFile, `${JSON.stringify(raw, null, 2)}\n`);
    created = true;
  }
  const fromFile = validateConfig(
    raw,
    paths.configFile,
    configVersionOf(opts.migrations ?? CONFIG_MIGRATIONS),
  );
  if (!fromFile.ok) throw new ConfigError(fromFile.problems);
  const withEnv = applyEnvOverrides(fromFile.config, env);
  if (!withEnv.ok) throw new ConfigError(withEnv.problems);
  return { config: withEnv.config, paths, created, warnings: configWarnings(raw), migrated };
}

/**
 * hub.json parsed and migrated to the current version. With `write`, a migrated file is first
 * copied to hub.json.v<old version>.bak, then replaced atomically, and only once the result is
 * valid: a step that produces a bad file leaves the original alone.
 */
function readConfigFile(
  file: string,
  write: boolean,
  migrations: readonly ConfigMigration[] = CONFIG_MIGRATIONS,
): { raw: unknown; migrated?: ConfigMigrated } {
  const text = readFileSync(file, 'utf8');
  const result = migrateConfig(parseJson(file, text), file, migrations);
  if (!result.ok) throw new ConfigError([result.problem]);
  if (result.applied.length === 0) return { raw: result.raw };
  const { fromVersion, toVersion } = result;
  const checked = validateConfig(result.raw, `${file} (migrated from version ${fromVersion})`, toVersion);
  if (!checked.ok) throw new ConfigError(checked.problems);
  const migrated: ConfigMigrated = { fromVersion, toVersion, steps: result.applied };
  if (write) {
    migrated.backupFile = `${file}.v${fromVersion}.bak`;
    writeAtomically(migrated.backupFile, text);
    writeAtomically(file, `${JSON.stringify(result.raw, null, 2)}\n`);
  }
  return { raw: result.raw, migrated };
}

/** The defaults, with this machine's timezone, as written on first start. */
function defaultConfigFile(): HubConfig {
  const systemZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return configSchema.parse({ timezone: isIanaTimezone(systemZone) ? systemZone : 'UTC' });
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${file}: not valid JSON (${(err as Error).message})`]);
  }
}

function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 }); // it may hold the legacy MQTT password
  renameSync(tmp, file);
}

/**
 * Changes the timezone in hub.json (atomically, bringing an older file up to date first) and says
 * whether the running hub needs a restart to use it (the schema marks what applies live).
 */
export function saveTimeZone(configFile: string, timeZone: string): { restartRequired: boolean } {
  if (!isIanaTimezone(timeZone)) throw new ConfigError([`"${timeZone}" is not an IANA timezone name`]);
  const raw = existsSync(configFile) ? readConfigFile(configFile, true).raw : {};
  const next = { ...(raw as Record<string, unknown>), timezone: timeZone };
  const checked = validateConfig(next, configFile);
  if (!checked.ok) throw new ConfigError(checked.problems);
  writeAtomically(configFile, `${JSON.stringify(next, null, 2)}\n`);
  return { restartRequired: needsRestart(['timezone']) };
}
