// Types shared by the hub's JSON API (/api/v1) and the web app in ui/. Types only: no code.

export type Role = 'admin' | 'viewer';

export interface UserSummary {
  id: number;
  username: string;
  role: Role;
  createdAtMs: number;
}

/** GET /api/v1/session, POST /api/v1/session, POST /api/v1/onboarding */
export interface SessionInfo {
  user: UserSummary;
  /** Send back as X-CSRF-Token on every state-changing request made with the session cookie. */
  csrfToken?: string;
  expiresAtMs?: number;
}

/** GET /api/v1/onboarding */
export interface OnboardingState {
  needed: boolean;
}

/** GET /api/v1/me/apikeys */
export interface ApiKeys {
  readApiKey: string;
  writeApiKey: string;
}

/** GET /api/v1/version */
export interface VersionInfo {
  name: string;
  version: string;
  node: string;
}

/** Every error from /api/v1: a short sentence for a person and a stable code for programs. */
export interface ApiError {
  error: string;
  code: string;
}

export interface ComponentStatus {
  state: 'stopped' | 'starting' | 'ready' | 'degraded' | 'down';
  detail?: Record<string, unknown>;
}

/** GET /readyz (200 when ready, 503 otherwise) */
export interface ReadinessReport {
  ready: boolean;
  components: Record<string, ComponentStatus>;
}

/** A value on /ws and in input listings: unix seconds, null = not a number. */
export interface LiveValueMessage {
  id: number;
  timeS: number;
  value: number | null;
}

/** What a client sends on /ws (JSON text frames). */
export interface LiveClientMessage {
  op: 'subscribe' | 'unsubscribe';
  feeds?: number[];
  inputs?: number[];
}

/** What /ws sends: hello on connect, the answer to each request, then values as they arrive. */
export type LiveServerMessage =
  | { type: 'hello'; user: { username: string; role: Role } | null }
  | {
      type: 'subscribed';
      feeds: number[];
      inputs: number[];
      /** Ids the caller may not read (or that do not exist): nothing will be sent for them. */
      denied: { feeds: number[]; inputs: number[] };
    }
  | { type: 'unsubscribed'; feeds: number[]; inputs: number[] }
  | { type: 'values'; feeds: LiveValueMessage[]; inputs: LiveValueMessage[] }
  /** To every signed-in client: a device's state or control status changed (null: it was deleted). */
  | { type: 'device'; id: number; device: DeviceView | null }
  /** To admins: the pairing window or the pending requests changed. */
  | { type: 'pairing'; pairing: PairingStateView }
  | { type: 'error'; error: string };

/** A step of a process list in /api/v1: emoncms's process id and its argument. */
export interface ProcessStepJson {
  id: number;
  arg?: number | string;
}

/** GET /api/v1/inputs */
export interface InputJson {
  id: number;
  node: string;
  name: string;
  description: string;
  processList: ProcessStepJson[];
  /** Set when the list looped and was stopped. */
  processListError: string | null;
  timeS: number | null;
  value: number | null;
}

/** GET /api/v1/processes: the catalogue for the process-list editor. */
export interface ProcessInfo {
  id: number;
  name: string;
  label: string;
  argType: 'feed' | 'input' | 'value' | 'text' | 'none';
}

/** A tariff band: a price in minor units per kWh from `start` to `end` (local HH:MM). */
export interface TariffBandJson {
  name: string;
  start: string;
  end: string;
  priceMinorPerKWh: number;
}

/** GET/PUT /api/v1/tariff: prices in minor units (pence, cents), bands by local time HH:MM. */
export interface TariffJson {
  currency: string;
  standingChargeMinorPerDay: number;
  vatPercent: number;
  bands: TariffBandJson[];
  /** What export earns (no VAT): absent or empty = no export tariff; one all-day band = flat. */
  exportBands?: TariffBandJson[];
}

/** The household's power feeds by role (docs/web-app.md: the household feeds). */
export interface HouseholdFeedsJson {
  house?: number;
  solar?: number;
  import?: number;
  export?: number;
  /** Signed: positive while discharging into the house. */
  battery?: number;
}

/**
 * The household's energy over a period and its cost under the tariff, VAT included (minor units).
 * Without `feedId` the feeds are chosen by the naming rule (`feeds`); with it, that one feed is the
 * house's use, all of it imported.
 */
export interface CostSummaryJson {
  /** The house feed (else the import feed); null when the hub has no power feed. */
  feedId: number | null;
  feeds: HouseholdFeedsJson;
  currency: string;
  /** House use. */
  energyKWh: number;
  solarKWh: number;
  importKWh: number;
  exportKWh: number;
  batteryKWh: number;
  /** Imported energy's cost. */
  energyCostMinor: number;
  exportCreditMinor: number;
  standingChargeMinor: number;
  /** Days charged the standing charge: days with data, up to now. */
  standingDays: number;
  /** energyCostMinor + standingChargeMinor − exportCreditMinor */
  totalMinor: number;
  /** Imported energy by import band. */
  byBand: { name: string; energyKWh: number; costMinor: number }[];
  exportByBand: { name: string; energyKWh: number; creditMinor: number }[];
  /** (solar − export) / solar, 0–1; null without solar. */
  selfConsumption: number | null;
  /** (house − import) / house, 0–1; null without use. */
  selfSufficiency: number | null;
}

/** GET /api/v1/energy/today[?feedId=] : today so far, and whether now is a good time to use power. */
export interface EnergyToday extends CostSummaryJson {
  dayStartS: number;
  goodTime: { good: boolean; band: string; flat: boolean };
}

/** GET /api/v1/energy/summary?[feedId&](month=YYYY-MM|start&end)[&halfHours=1]: whole local days. */
export interface EnergySummary extends CostSummaryJson {
  startS: number;
  endS: number;
  /** Days with data only. `energyKWh` is house use; `costMinor` import cost less export credit. */
  days: {
    startS: number;
    energyKWh: number;
    importKWh: number;
    exportKWh: number;
    solarKWh: number;
    costMinor: number;
    selfConsumption: number | null;
    selfSufficiency: number | null;
  }[];
  halfHours?: { startS: number; energyKWh: number; importKWh: number; exportKWh: number; solarKWh: number }[];
}

/** One side of a comparison (docs/web-app.md: comparisons). */
export interface ComparedPeriodJson {
  startS: number;
  endS: number;
  /** Calendar days the period touches. */
  days: number;
  /** Of those, the days with any data; 0 is "no data for …". */
  daysWithData: number;
  /** House use. */
  energyKWh: number;
  importKWh: number;
  /** Imported energy's cost, VAT included; no standing charge, no export credit. */
  importCostMinor: number;
}

export interface ComparisonJson {
  current: ComparedPeriodJson;
  previous: ComparedPeriodJson;
  /** current − previous, and as % of previous (null when that was 0); null without data on a side. */
  change: {
    energyKWh: number;
    energyPercent: number | null;
    importCostMinor: number;
    importCostPercent: number | null;
  } | null;
}

/** GET /api/v1/energy/compare[?feedId=]: this week and this month so far against earlier ones. */
export interface EnergyComparison {
  feedId: number | null;
  feeds: HouseholdFeedsJson;
  currency: string;
  /** Monday to now vs the same days and hours last week. */
  week: ComparisonJson;
  /** The 1st to now vs the same dates and hours a year before. */
  month: ComparisonJson;
}

/** GET /api/v1/hub: facts the web app formats with (dates in the hub's timezone). */
export interface HubFacts {
  timeZone: string;
  version: string;
}

/** GET /api/v1/feeds (a list), GET/PATCH /api/v1/feeds/:id, POST /api/v1/feeds */
export interface FeedJson {
  id: number;
  ownerId: number;
  name: string;
  tag: string;
  unit: string;
  intervalS: number;
  public: boolean;
  /** Full-resolution data older than this many days is trimmed; null = kept. */
  retentionDays: number | null;
  createdAtMs: number;
}

/** GET /api/v1/feeds/:id/last: the last slot with data (null when the feed has none). */
export interface FeedLastJson {
  tsS: number;
  value: number | null;
}

/**
 * What the app asks for at boot, inlined by the hub in the app shell it serves to a signed-in
 * navigation, as `<script type="application/json" id="hub-boot">` (docs/web-app.md, Performance).
 * Each part is the answer its API route would give.
 */
export interface BootState {
  onboarding: OnboardingState;
  session: SessionInfo;
  hub: HubFacts;
  today: EnergyToday;
  /** The last value of each of `today.feeds`. */
  lastValues: { feedId: number; last: FeedLastJson | null }[];
}

// ---- Devices and pairing (issue 13; docs/devices.md) ----

export type DeviceCapabilityView = 'switch' | 'power' | 'energy' | 'evCharging';

/** A device's state as /api/v1/devices and /ws show it (see src/devices/driver.ts DeviceState). */
export interface DeviceStateView {
  online: boolean | null;
  relays: (boolean | null)[];
  powerW: number | null;
  energyKWh: number | null;
  ev: {
    evseState: number | null;
    vehicleConnected: boolean | null;
    charging: boolean | null;
    currentLimitA: number | null;
    energyLimitKWh: number | null;
    sessionEnergyKWh: number | null;
  } | null;
  lastSeenMs: number | null;
}

/** What PUT /api/v1/devices/:id/state asks for; absent fields are left as they are. */
export interface DesiredStateView {
  on?: boolean;
  relay?: number;
  currentLimitA?: number;
  energyLimitKWh?: number | null;
}

/** The last control request and whether the device's own report confirmed it. */
export interface ControlStatusView {
  desired: DesiredStateView;
  status: 'pending' | 'confirmed' | 'not_confirmed' | 'failed';
  requestedAtMs: number;
  settledAtMs: number | null;
  attempts: number;
  /** Why it failed or was not confirmed, in words a person reads. */
  reason: string | null;
}

export interface DeviceView {
  id: number;
  name: string;
  room: string | null;
  kind: string;
  topicName: string;
  mqttUsername: string;
  createdAtMs: number;
  /** Empty for kinds without a driver (a gateway). */
  capabilities: DeviceCapabilityView[];
  state: DeviceStateView;
  control: ControlStatusView | null;
  /** Feeds the device's inputs log to (from its template), for its detail page. */
  feedIds: number[];
}

/** A device that asked to join (EmonESP's GET /emoncms/device/auth/request.json). */
export interface PairingRequestView {
  /** IPv4 dotted quad. */
  ip: string;
  firstSeenMs: number;
  lastSeenMs: number;
  count: number;
  /** What the hub can tell about it (e.g. its User-Agent), or null. */
  hint: string | null;
  /** Set once allowed: the next request from `ip` before this time gets its credentials once. */
  allowedUntilMs: number | null;
  /** The device created for it when allowed. */
  deviceId: number | null;
}

/** The firmwares that pair without typing: a pairing login, then their own config command. */
export type PairingClaimKind = 'tasmota' | 'shelly' | 'openevse';

/**
 * A device connected with a pairing login while the window is open (docs/devices.md, Pairing
 * without typing), named by its MQTT client id.
 * - `connected`: it has not said what it is yet (only Deny);
 * - `waiting`: it said what it is: an admin may allow or deny it;
 * - `handing-over`: allowed; its own login was sent with its firmware's command and the hub
 *   waits for it to connect with it until `untilMs`;
 * - `paired`: it connected with its own login;
 * - `manual`: it did not (or the command could not be sent): its settings are to be typed in
 *   (GET …/claims/:clientId/settings), `problem` says why.
 */
export interface PairingClaimView {
  clientId: string;
  /** IPv4 dotted quad. */
  ip: string;
  kind: PairingClaimKind | null;
  /** Its own topic as it announced it (Tasmota topic, Shelly prefix, OpenEVSE base), or null. */
  topicName: string | null;
  /** Module or model it reported ("Sonoff Basic", "SNPL-00112EU"), or null. */
  model: string | null;
  /** The name it gave itself (device name, host name), or null. */
  label: string | null;
  firstSeenMs: number;
  lastSeenMs: number;
  status: 'connected' | 'waiting' | 'handing-over' | 'paired' | 'manual';
  /** The device created when allowed. */
  deviceId: number | null;
  /** handing-over: the hub waits for its reconnect until then. */
  untilMs: number | null;
  problem: string | null;
}

/** GET /api/v1/pairing/claims/:clientId/settings: what to type into the device by hand. */
export interface PairingClaimSettings {
  clientId: string;
  deviceId: number;
  host: string;
  port: number | null;
  tlsPort: number | null;
  username: string;
  password: string;
  topic: string;
  /** Where the broker's CA certificate is (for TLS), or null when TLS is off. */
  caUrl: string | null;
}

export interface PairingStateView {
  /** The pairing window (UDP beacon on) is open until this time, or null when closed. */
  windowOpenUntilMs: number | null;
  requests: PairingRequestView[];
  /** Devices connected with a pairing login (Tasmota, Shelly, OpenEVSE). */
  claims: PairingClaimView[];
}

// Signals, schedules, plans and the Community page (issue 14): contract-demand.ts.
export type * from './contract-demand.js';

// The updates panel (issue 15): contract-updates.ts.
export type * from './contract-updates.js';
