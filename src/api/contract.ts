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

/** A signal as the planner uses it (src/signals/signal.ts): epoch seconds, one value per slot. */
export interface SignalSeries {
  startS: number;
  intervalS: number;
  values: readonly number[];
  unit: string;
  optimise: 'min' | 'max';
  /** `gateway:<n>`, `tariff`, `fetch:<source name>`. */
  source: string;
  receivedAtS: number;
}

/** One entry of GET /api/v1/signals: a signal the hub has or expects, and whether it is usable. */
export interface SignalView {
  name: string;
  /** What it is, in words ("day-ahead price profile"). */
  what: string;
  /** From the slot now on; null while missing. */
  signal: SignalSeries | null;
  receivedAtMs: number | null;
  horizonEndMs: number | null;
  /** Missing, ended, or older than its source's TTL: `why` says which, in words. */
  stale: boolean;
  why: string | null;
  /** The last refused payload or failed fetch, while no good one has come since. */
  lastError: string | null;
}

/** What the household optimises: one signal or a weighted mix (each scaled 0..1 first). */
export interface OptimisationTargetView {
  terms: { signal: string; weight: number }[];
}

export interface SignalsView {
  signals: SignalView[];
  target: OptimisationTargetView;
  /** Signals the target names that are not there. */
  targetMissing: string[];
}

/** A device's schedule (PUT/GET /api/v1/devices/:id/schedule; src/scheduler/schedule.ts checks it). */
export type ScheduleJson =
  | { mode: 'on' }
  | { mode: 'off' }
  | {
      mode: 'smart';
      smart: {
        /** "HH:MM", the hub's zone. */
        readyBy: string;
        runMinutes: number;
        interruptible: boolean;
        minOnMinutes: number;
        minGapMinutes: number;
        /** Weekdays 0 (Sunday)..6; empty: once, on onceDate. */
        repeat: number[];
        onceDate: string | null;
        /** Chargers: energy wanted by readyBy. */
        energyKWh: number | null;
        /** Chargers, instead of energyKWh: range wanted by readyBy, at whPerKm (default 170). */
        rangeKm: number | null;
        whPerKm: number;
        /** Its draw when on (W), used until one is measured; null: not given. */
        powerW?: number | null;
      };
    }
  | { mode: 'timer'; timer: { periods: { start: string; stop: string }[]; repeat: number[] } };

export interface DeviceScheduleJson {
  deviceId: number;
  schedule: ScheduleJson | null;
  updatedAtMs: number | null;
}

/** GET /api/v1/devices/:id/plan (null while the device has no schedule). */
export interface DevicePlanJson {
  deviceId: number;
  madeAtMs: number | null;
  /** The period planned: not before fromS, ready by readyByS (epoch seconds). */
  period: { fromS: number; readyByS: number } | null;
  plan: {
    intervals: { startS: number; endS: number }[];
    plannedS: number;
    /** In the signal's unit × kWh (pence for p/kWh, g for gCO2/kWh). */
    cost: number;
    runNowCost: number;
    shortS: number;
    reason: 'done' | 'continuing' | 'not-enough-time' | 'deadline-passed' | 'over-limit' | null;
  } | null;
  /** The signal it was planned on; null: none (it runs as soon as it may, `problem` says so). */
  signal: SignalSeries | null;
  pausedUntilMs: number | null;
  problem: string | null;
  /** The signal is stale or part of the target is missing, in words (the plan uses what there is). */
  signalStale: string | null;
  /** A charger's energy wanted in this period and what its meter says it delivered (null: no reading yet). */
  energy: { neededKWh: number; deliveredKWh: number | null } | null;
  wantsOn: boolean | null;
}

/** Why a Community day's figure is null (src/signals/community-days.ts says when each applies). */
export type CommunityWhy =
  | 'no-feed'
  | 'not-power'
  | 'no-data'
  | 'no-community'
  | 'no-household'
  | 'community-zero'
  | 'mixed-target'
  | 'no-use';

/** One local day on the Community page (23 or 25 hours when the clocks change). */
export interface CommunityDayJson {
  startS: number;
  endS: number;
  hours: number;
  /** Figures run to here: the day's end, or now for today. */
  untilS: number;
  /** The river's generation, as the gateway's last forecast for each slot. Null: see why.hydro. */
  hydroKWh: number | null;
  hydroHours: number;
  communityKWh: number | null;
  communityHours: number;
  householdKWh: number | null;
  householdHours: number;
  /** Household ÷ community × 100 over the hours both are known. */
  householdSharePct: number | null;
  /** The household's use in hours the light called good, × 100 of its use in judged hours. */
  goodUsePct: number | null;
  why: Partial<Record<'hydro' | 'community' | 'household' | 'share' | 'goodUse', CommunityWhy>>;
}

/** GET /api/v1/community/days?days=7: oldest day first, today last. */
export interface CommunityDaysJson {
  timeZone: string;
  days: CommunityDayJson[];
  feeds: {
    hydro: number | null;
    community: number | null;
    household: Partial<Record<'house' | 'solar' | 'import' | 'export' | 'battery', number>>;
    target: number | null;
  };
  /** The signal whose kept values judged the good hours (a one-signal target), or null. */
  goodSignal: string | null;
}
