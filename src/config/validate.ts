import { z } from 'zod';
import { CONFIG_VERSION } from './config-migrations.js';
import { configSchema, type HubConfig } from './schema.js';

export type ConfigResult = { ok: true; config: HubConfig } | { ok: false; problems: string[] };

/** Environment variables that override hub.json, and the field each one sets. */
export const ENV_OVERRIDES = {
  HUB_HTTP_PORT: { path: ['http', 'port'], type: 'integer' },
  HUB_MQTT_PORT: { path: ['mqtt', 'port'], type: 'integer' },
  HUB_MQTT_TLS_PORT: { path: ['mqtt', 'tls', 'port'], type: 'integer' },
  HUB_VZLOGGER_PORT: { path: ['ingest', 'vzloggerPush', 'port'], type: 'integer' },
  HUB_REDIS_URL: { path: ['redis', 'url'], type: 'string' },
  HUB_TIMEZONE: { path: ['timezone'], type: 'string' },
  HUB_LOG_LEVEL: { path: ['log', 'level'], type: 'string' },
  HUB_MDNS: { path: ['pairing', 'mdns'], type: 'boolean' },
} as const;

const BOOLEAN_TEXT: Record<string, boolean> = { true: true, '1': true, false: false, '0': false };

type EnvName = keyof typeof ENV_OVERRIDES;

/**
 * Validates a parsed hub.json; each problem names the source, the field, what was expected and found.
 * `version` is the one the file must have (another only for a test's own migration chain).
 */
export function validateConfig(raw: unknown, source: string, version = CONFIG_VERSION): ConfigResult {
  const parsed = schemaFor(version).safeParse(raw);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.map((issue) => describeIssue(issue, raw, source)) };
}

/** What a valid hub.json says that the hub reads differently than its author may have meant. */
export function configWarnings(raw: unknown): string[] {
  const http = (raw as { http?: { trustProxy?: unknown } } | null)?.http;
  return http?.trustProxy === true
    ? [
        'http.trustProxy: true is read as ["loopback"] (a proxy on this machine); trusting every hop would let any client choose the address its logins are counted under. List your reverse proxy\'s address instead.',
      ]
    : [];
}

/** Applies HUB_* variables on top of a valid config; a bad variable is reported under its own name. */
export function applyEnvOverrides(config: HubConfig, env: Record<string, string | undefined>): ConfigResult {
  const merged = structuredClone(config) as Record<string, unknown>;
  const used: EnvName[] = [];
  for (const name of Object.keys(ENV_OVERRIDES) as EnvName[]) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const { path, type } = ENV_OVERRIDES[name];
    const trimmed = text.trim();
    const value =
      type === 'integer' && /^-?\d+$/.test(trimmed)
        ? Number(trimmed)
        : type === 'boolean' && trimmed.toLowerCase() in BOOLEAN_TEXT
          ? BOOLEAN_TEXT[trimmed.toLowerCase()]
          : text;
    setPath(merged, path, value);
    used.push(name);
  }
  const parsed = schemaFor(config.version).safeParse(merged);
  if (parsed.success) return { ok: true, config: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const name = used.find((n) => ENV_OVERRIDES[n].path.join('.') === issue.path.join('.'));
    return describeIssue(issue, merged, name ? `environment variable ${name}` : 'environment');
  });
  return { ok: false, problems };
}

function schemaFor(version: number) {
  return version === CONFIG_VERSION
    ? configSchema
    : configSchema.extend({ version: z.literal(version, { error: `config version ${version}` }) });
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, source: string): string {
  const field = issue.path.length ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const base = issue.path.length ? `${field}.` : '';
    return issue.keys
      .map((key) => `${source}: field "${base}${key}": unknown key; expected none here, found ${show(key)}`)
      .join('\n');
  }
  const found = valueAt(raw, issue.path);
  return `${source}: field "${field}": expected ${issue.message}, found ${found === undefined ? 'nothing' : show(found)}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (node[key] === null || typeof node[key] !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
