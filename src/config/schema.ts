import { z } from 'zod';
import { LOG_LEVELS } from '../shared/logger.js';
import { CONFIG_VERSION } from './config-migrations.js';
import { restartNeededIn } from './setting-effects.js';

// The one description of <dataDir>/hub.json: validation, defaults and the words a person reads
// when a value is wrong (each `error` says what was expected).

const port = z
  .number({ error: 'an integer port from 0 (any free port) to 65535' })
  .int({ error: 'an integer port from 0 (any free port) to 65535' })
  .min(0, { error: 'an integer port from 0 (any free port) to 65535' })
  .max(65535, { error: 'an integer port from 0 (any free port) to 65535' });

const host = z.string({ error: 'an address to listen on, such as "0.0.0.0" or "127.0.0.1"' }).min(1);

const positiveInt = (what: string, max: number) =>
  z
    .number({ error: `${what}: an integer from 1 to ${max}` })
    .int({ error: `${what}: an integer from 1 to ${max}` })
    .min(1, { error: `${what}: an integer from 1 to ${max}` })
    .max(max, { error: `${what}: an integer from 1 to ${max}` });

export function isIanaTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}

const TRUST_PRESETS = ['loopback', 'linklocal', 'uniquelocal'];
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** What Express's `trust proxy` accepts as one entry: a preset name, an address or a subnet. */
export function isProxyAddress(text: string): boolean {
  if (TRUST_PRESETS.includes(text)) return true;
  const [address = '', prefix, ...rest] = text.split('/');
  if (rest.length > 0) return false;
  const v4 = IPV4.test(address);
  if (!v4 && !isIpv6(address)) return false;
  if (prefix === undefined) return true;
  if (v4 && IPV4.test(prefix)) return true; // a netmask such as 255.255.255.0
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (v4 ? 32 : 128);
}

function isIpv6(text: string): boolean {
  if (!text.includes(':') || !/^[0-9a-fA-F:.]+$/.test(text)) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

const splitList = (list: string) => list.split(',').map((part) => part.trim());

const PROXY_ERROR =
  'false, or a list of proxy addresses or subnets ("loopback", "10.0.0.1", "192.168.1.0/24")';
/** A hop count trusts whatever the nearest client writes when it connects directly. */
const HOP_ERROR = `${PROXY_ERROR}; a hop count would believe a client that connects directly, list the proxy's address instead`;
const proxyError = (issue: { input?: unknown }) =>
  typeof issue.input === 'number' ? HOP_ERROR : PROXY_ERROR;
const proxyList = z
  .array(z.string({ error: PROXY_ERROR }).refine(isProxyAddress, { error: PROXY_ERROR }), {
    error: PROXY_ERROR,
  })
  .min(1, { error: PROXY_ERROR });

/**
 * Which hops' X-Forwarded-For the hub believes. A client can write any X-Forwarded-For, so `true`
 * (trust every hop) would let a guesser pick the address the login limits count: it is read as
 * "loopback", a proxy on this machine (validate.ts warns about it).
 */
const trustProxy = z
  .union(
    [
      z.boolean().transform((on) => (on ? ['loopback'] : false)),
      z
        .string({ error: PROXY_ERROR })
        .refine((list) => splitList(list).every(isProxyAddress), { error: PROXY_ERROR })
        .transform(splitList),
      proxyList,
    ],
    { error: proxyError },
  )
  .default(false);

const REDIS_URL = /^(auto|embedded|redis:\/\/.+|rediss:\/\/.+|unix:\/\/?.+)$/;

export const configSchema = z.strictObject({
  version: z.literal(CONFIG_VERSION, { error: `config version ${CONFIG_VERSION}` }).default(CONFIG_VERSION),
  http: z
    .strictObject({
      host: host.default('0.0.0.0'),
      port: port.default(8080),
      bodyLimitKb: positiveInt('request body limit in KiB', 10240).default(256),
      trustProxy,
    })
    .prefault({}),
  mqtt: z
    .strictObject({
      enabled: z.boolean({ error: 'true or false' }).default(true),
      host: host.default('0.0.0.0'),
      port: port.default(1883),
      tls: z
        .strictObject({
          enabled: z.boolean({ error: 'true or false' }).default(true),
          host: host.default('0.0.0.0'),
          port: port.default(8883),
          certFile: z.string({ error: 'a path to a PEM certificate, or null' }).nullable().default(null),
          keyFile: z.string({ error: 'a path to a PEM private key, or null' }).nullable().default(null),
        })
        .prefault({}),
      websocket: z
        .strictObject({ enabled: z.boolean({ error: 'true or false' }).default(true) })
        .prefault({}),
      allowAnonymousLoopback: z.boolean({ error: 'true or false' }).default(false),
      legacyLogin: z
        .strictObject({
          enabled: z.boolean({ error: 'true or false' }).default(false),
          username: z.string({ error: 'a username' }).min(1).default('emonpi'),
          password: z
            .string({ error: 'a password of at least 8 characters, or null' })
            .min(8)
            .nullable()
            .default(null),
        })
        .refine((l) => !l.enabled || l.password !== null, {
          error: 'a password when the legacy login is enabled',
        })
        .prefault({}),
      limits: z
        .strictObject({
          maxPacketBytes: positiveInt('largest MQTT packet in bytes', 268_435_455).default(262_144),
          maxConnections: positiveInt('most MQTT connections at once', 100_000).default(256),
          connectTimeoutS: positiveInt('seconds to wait for CONNECT', 600).default(10),
          keepaliveMaxS: positiveInt('longest keepalive in seconds', 65_535).default(3600),
          publishRatePerS: positiveInt('publishes per second per client', 1_000_000).default(50),
          publishBurst: positiveInt('publish burst per client', 1_000_000).default(500),
          offlineQueueMax: positiveInt('messages queued per offline client', 1_000_000).default(1000),
          maxPreAuthConnections: positiveInt('MQTT connections not logged in yet', 100_000).default(64),
          maxPreAuthPerAddress: positiveInt(
            'MQTT connections not logged in yet per address',
            100_000,
          ).default(8),
        })
        .prefault({}),
      sysIntervalS: positiveInt('seconds between $SYS statistics', 3600).default(10),
      acl: z
        .array(
          z.strictObject({
            who: z.string({ error: '"user", "device", "any" or a username' }).min(1),
            access: z.enum(['read', 'write', 'readwrite', 'deny'], {
              error: 'read, write, readwrite or deny',
            }),
            topic: z.string({ error: 'an MQTT topic filter, %u and %c allowed as whole levels' }).min(1),
          }),
          { error: 'a list of {who, access, topic} rules' },
        )
        .default([]),
    })
    .prefault({}),
  redis: z
    .strictObject({
      url: z
        .string({ error: '"auto", "embedded", or a redis://, rediss:// or unix:// URL' })
        .regex(REDIS_URL, { error: '"auto", "embedded", or a redis://, rediss:// or unix:// URL' })
        .default('auto'),
      keyPrefix: z
        .string({ error: 'lowercase letters, digits, "-" or "_"' })
        .regex(/^[a-z0-9_-]{1,32}$/, { error: 'lowercase letters, digits, "-" or "_" (1 to 32)' })
        .default('hub'),
    })
    .prefault({}),
  timezone: z
    .string({ error: 'an IANA timezone name such as "Europe/London"' })
    .refine(isIanaTimezone, { error: 'an IANA timezone name such as "Europe/London"' })
    .default('UTC'),
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS, { error: `one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    })
    .prefault({}),
  timeseries: z
    .strictObject({
      flushIntervalS: positiveInt(
        'seconds between writes of buffered points to the feed files',
        3600,
      ).default(60),
      maxFutureS: positiveInt('seconds into the future a point may be stamped', 31_536_000).default(86_400),
      memoryBufferPoints: positiveInt('points held in memory while Redis is away', 10_000_000).default(
        100_000,
      ),
      maxBufferedPoints: positiveInt(
        'points waiting to be written before new readings are refused',
        50_000_000,
      ).default(1_000_000),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      createInputs: z.boolean({ error: 'true or false' }).default(true),
      maxNodes: positiveInt('most nodes with inputs', 10_000).default(64),
      maxInputsPerNode: positiveInt('most inputs per node', 10_000).default(64),
      mqttBaseTopic: z
        .string({ error: 'an MQTT topic level such as "emon"' })
        .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: 'one MQTT topic level: letters, digits, "-" or "_"' })
        .default('emon'),
      autoConfigure: z.boolean({ error: 'true or false' }).default(true),
      vzloggerPush: z
        .strictObject({
          enabled: z.boolean({ error: 'true or false' }).default(true),
          host: host.default('0.0.0.0'),
          port: port.default(5582),
        })
        .prefault({}),
    })
    .prefault({}),
  auth: z
    .strictObject({
      sessionTtlH: positiveInt('session lifetime in hours', 24 * 365).default(24 * 30),
      loginFailuresPerUser: positiveInt(
        'failed logins allowed per user from one address per window',
        1000,
      ).default(5),
      loginFailuresPerIp: positiveInt('failed logins allowed per address per window', 10000).default(20),
      loginWindowS: positiveInt('login rate-limit window in seconds', 86400).default(900),
    })
    .prefault({}),
  devices: z
    .strictObject({
      /** How long a command waits for the device's own report before it is sent again. */
      confirmTimeoutMs: positiveInt('milliseconds to wait for a device to confirm a command', 60_000).default(
        3000,
      ),
      /** Sends after the first before a command is shown as not confirmed. */
      retries: positiveInt('times a command is sent again before it is "not confirmed"', 10).default(2),
    })
    .prefault({}),
  scheduler: z
    .strictObject({
      /** The most the scheduled devices may draw together (a 60 A supply: 13800); null: no limit. */
      householdLimitW: positiveInt('watts the scheduled devices may draw together', 1_000_000)
        .nullable()
        .default(null),
      /** What a device that has not reported its draw is taken to draw. */
      defaultPowerW: positiveInt('watts assumed for a device that reported none', 100_000).default(1000),
      /** How often the runner looks whether a device should be switched. */
      tickS: positiveInt("seconds between the scheduler's checks", 600).default(30),
      /** How often every plan is made again even when nothing changed. */
      replanMinutes: positiveInt('minutes between plans', 1440).default(15),
    })
    .prefault({}),
  pairing: z
    .strictObject({
      /** mDNS host name: the hub answers at `<hostname>.local` (hub-2.local… on a conflict). */
      hostname: z
        .string({ error: 'a host name such as "hub"' })
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: 'a DNS label: a-z, 0-9 and "-"' })
        .default('hub'),
      mdns: z.boolean({ error: 'true or false' }).default(true),
      /** Where the EmonESP beacon `emonpi.local` goes while a pairing window is open. */
      beaconAddress: host.default('255.255.255.255'),
      beaconPort: port.default(5005),
      beaconIntervalS: positiveInt('seconds between UDP beacons while pairing', 3600).default(5),
      windowMinutes: positiveInt('minutes a pairing window stays open', 240).default(10),
      /** A pending request not renewed for this long is forgotten. */
      requestTtlS: positiveInt('seconds a pairing request stays pending', 86_400).default(900),
      /** The one-time answer for an allowed address is given within this time, then spent. */
      allowanceTtlS: positiveInt('seconds an allowed device has to fetch its credentials', 3600).default(60),
      maxPendingRequests: positiveInt('pending pairing requests kept', 1024).default(32),
      /** How long the hub waits for a device paired without typing to connect with its own login. */
      handoverTimeoutS: positiveInt('seconds to wait for a paired device to reconnect', 3600).default(60),
      requestsPerAddressPerMinute: positiveInt('pairing requests per address per minute', 600).default(12),
    })
    .prefault({}),
  signals: z
    .strictObject({
      /** A meter gateway sends its day-ahead profile each evening: older than this, it is stale. */
      gatewayTtlHours: positiveInt('hours a day-ahead profile stays fresh', 168).default(26),
      /** How long a forecast fetch may take. */
      fetchTimeoutS: positiveInt('seconds a forecast fetch may take', 300).default(20),
      /** Fetched forecasts (off by default: none). docs/demand-shaper.md, Signals. */
      sources: z
        .array(
          z.strictObject({
            name: z
              .string({ error: 'a signal name such as "agile" (a-z, 0-9, -)' })
              .regex(/^[a-z][a-z0-9-]{0,31}$/, { error: 'a signal name such as "agile" (a-z, 0-9, -)' })
              .refine((n) => n !== 'tariff', { error: '"tariff" is the time-of-use tariff\'s own signal' }),
            kind: z.enum(['agile', 'carbon-intensity', 'solcast'], {
              error: 'one of agile, carbon-intensity, solcast',
            }),
            url: z
              .string({ error: 'an http:// or https:// URL' })
              .regex(/^https?:\/\/\S+$/, { error: 'an http:// or https:// URL' }),
            refreshMinutes: positiveInt('minutes between fetches', 10_080).default(60),
            ttlMinutes: positiveInt('minutes a fetched forecast stays fresh', 10_080).default(1440),
          }),
        )
        .max(16)
        .refine((list) => new Set(list.map((s) => s.name)).size === list.length, {
          error: 'each source needs its own name',
        })
        .default([]),
    })
    .prefault({}),
  /** The outgoing connection to the project server (docs/updates.md, Remote trigger); absent: none. */
  server: z
    .strictObject({
      /** mqtts:// (TLS); plain mqtt:// only to this machine (tests, a local tunnel). */
      url: z
        .string({ error: 'an mqtts:// URL' })
        .regex(/^(mqtts:\/\/\S+|mqtt:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\/?)$/, {
          error: 'an mqtts:// URL (mqtt:// only to 127.0.0.1 or localhost)',
        }),
      hubId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: '1 to 64 letters, digits, _ or -' }),
      username: z.string().min(1).max(200),
      password: z.string().min(1).max(500),
      /** PEM file of the server's CA; without it, the system's CAs. */
      caFile: z.string().min(1).optional(),
      topicPrefix: z
        .string()
        .regex(/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/, { error: 'topic levels of letters, digits, _ or -' })
        .default('hubs'),
    })
    .optional(),
});

export type HubConfig = z.infer<typeof configSchema>;

/**
 * Whether a change to the setting at `path` takes effect only after hubd restarts. Today every
 * setting is read at start; one hubd applies live is marked on its field with
 * `.register(settingEffects, { appliesLive: true })`.
 */
export const needsRestart = (path: readonly string[]): boolean => restartNeededIn(configSchema, path);
