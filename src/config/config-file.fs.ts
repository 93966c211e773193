import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { configSchema, isIanaTimezone, type HubConfig } from './schema.js';
import { applyEnvOverrides, configWarnings, validateConfig } from './validate.js';

/** Where hubd keeps its files; HUB_DATA_DIR is the one root (./data in development). */
export interface HubPaths {
  dataDir: string;
  runDir: string;
  configFile: string;
  dbFile: string;
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
  };
}

export interface LoadedConfig {
  config: HubConfig;
  paths: HubPaths;
  /** True when hub.json did not exist and was written with defaults. */
  created: boolean;
  /** Settings hub.json holds that are read differently than written; logged once at start. */
  warnings: string[];
}

/**
 * Reads hub.json (creating it with defaults on first start unless `readOnly`), validates it,
 * then applies HUB_* overrides. Throws ConfigError naming file or variable, field, expected, found.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  opts = { readOnly: false },
): LoadedConfig {
  const paths = resolvePaths(env);
  let created = false;
  let raw: unknown;
  if (existsSync(paths.configFile)) {
    raw = readJson(paths.configFile);
  } else if (opts.readOnly) {
    raw = {};
  } else {
    raw = defaultConfigFile();
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    writeAtomically(paths.configFile, `${JSON.stringify(raw, null, 2)}\n`);
    created = true;
  }
  const fromFile = validateConfig(raw, paths.configFile);
  if (!fromFile.ok) throw new ConfigError(fromFile.problems);
  const withEnv = applyEnvOverrides(fromFile.config, env);
  if (!withEnv.ok) throw new ConfigError(withEnv.problems);
  return { config: withEnv.config, paths, created, warnings: configWarnings(raw) };
}

/** The defaults, with this machine's timezone, as written on first start. */
function defaultConfigFile(): HubConfig {
  const systemZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return configSchema.parse({ timezone: isIanaTimezone(systemZone) ? systemZone : 'UTC' });
}

function readJson(file: string): unknown {
  const text = readFileSync(file, 'utf8');
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

/** Changes the timezone in hub.json (atomically); the running hub uses it from its next start. */
export function saveTimeZone(configFile: string, timeZone: string): void {
  if (!isIanaTimezone(timeZone)) throw new ConfigError([`"${timeZone}" is not an IANA timezone name`]);
  const raw = existsSync(configFile) ? readJson(configFile) : {};
  const next = { ...(raw as Record<string, unknown>), timezone: timeZone };
  const checked = validateConfig(next, configFile);
  if (!checked.ok) throw new ConfigError(checked.problems);
  writeAtomically(configFile, `${JSON.stringify(next, null, 2)}\n`);
}
