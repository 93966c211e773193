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

/** GET/PUT /api/v1/tariff: prices in minor units (pence, cents), bands by local time HH:MM. */
export interface TariffJson {
  currency: string;
  standingChargeMinorPerDay: number;
  vatPercent: number;
  bands: { name: string; start: string; end: string; priceMinorPerKWh: number }[];
}

/** Energy of a power feed over a period and its cost under the tariff, VAT included (minor units). */
export interface CostSummaryJson {
  feedId: number;
  currency: string;
  energyKWh: number;
  energyCostMinor: number;
  standingChargeMinor: number;
  totalMinor: number;
  byBand: { name: string; energyKWh: number; costMinor: number }[];
}

/** GET /api/v1/energy/today?feedId= : today so far, and whether now is a good time to use power. */
export interface EnergyToday extends CostSummaryJson {
  dayStartS: number;
  goodTime: { good: boolean; band: string; flat: boolean };
}

/** GET /api/v1/energy/summary?feedId&start&end[&halfHours=1]: whole local days, by day and band. */
export interface EnergySummary extends CostSummaryJson {
  startS: number;
  endS: number;
  days: { startS: number; energyKWh: number; costMinor: number }[];
  halfHours?: { startS: number; energyKWh: number }[];
}

/** GET /api/v1/hub: facts the web app formats with (dates in the hub's timezone). */
export interface HubFacts {
  timeZone: string;
  version: string;
}
