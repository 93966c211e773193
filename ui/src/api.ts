import type {
  ApiError,
  ApiKeys,
  CommunityDaysJson,
  ComponentStatus,
  ControlStatusView,
  DesiredStateView,
  DeviceView,
  DevicePlanJson,
  DeviceScheduleJson,
  OptimisationTargetView,
  PairingClaimSettings,
  ScheduleJson,
  SignalsView,
  PairingStateView,
  EnergySummary,
  EnergyComparison,
  HubFacts,
  EnergyToday,
  FeedJson,
  TariffJson,
  ReadinessReport,
  UserSummary,
  VersionInfo,
  InputJson,
  OnboardingState,
  ProcessInfo,
  ProcessStepJson,
  SessionInfo,
  UpdateInfo,
} from '../../src/api/contract.js';

/** A feed as GET /api/v1/feeds lists it. */
export type Feed = FeedJson;

/** POST /api/v1/devices: the new device and its MQTT login (the secret only in this answer). */
export interface NewDeviceLogin {
  device?: { id: number; topicName: string };
  mqttUsername: string;
  secret: string;
}

/** Thrown for any non-2xx answer; `message` is the hub's sentence for a person. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

export function rememberCsrf(token: string | undefined): void {
  csrfToken = token;
}

/** For a request made without `call` (an upload with progress): the session's CSRF header. */
export function csrfHeader(): Record<string, string> {
  return csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as Partial<ApiError>;
  if (!res.ok) {
    const retry = res.headers.get('Retry-After');
    const text = data.error ?? `the hub answered ${res.status}`;
    throw new ApiCallError(res.status, data.code ?? 'unknown', retry ? `${text}` : text);
  }
  return data as T;
}

export const api = {
  update: () => call<UpdateInfo>('GET', '/api/v1/update'),
  onboardingState: () => call<OnboardingState>('GET', '/api/v1/onboarding'),
  onboard: (username: string, password: string) =>
    call<SessionInfo>('POST', '/api/v1/onboarding', { username, password }),
  session: () => call<SessionInfo>('GET', '/api/v1/session'),
  login: (username: string, password: string) =>
    call<SessionInfo>('POST', '/api/v1/session', { username, password }),
  logout: () => call<void>('DELETE', '/api/v1/session'),
  feeds: () => call<Feed[]>('GET', '/api/v1/feeds'),
  createFeed: (feed: { name: string; intervalS: number; unit: string }) =>
    call<Feed>('POST', '/api/v1/feeds', feed),
  feedData: (id: number, startS: number, endS: number, intervalS: number) =>
    call<[number, number | null][]>(
      'GET',
      `/api/v1/feeds/${id}/data?start=${startS}&end=${endS}&interval=${intervalS}&average=1`,
    ),
  lastValue: (id: number) =>
    call<{ tsS: number; value: number | null } | null>('GET', `/api/v1/feeds/${id}/last`),
  inputs: () => call<InputJson[]>('GET', '/api/v1/inputs'),
  processes: () => call<ProcessInfo[]>('GET', '/api/v1/processes'),
  tariff: () => call<TariffJson>('GET', '/api/v1/tariff'),
  setTariff: (tariff: TariffJson) => call<TariffJson>('PUT', '/api/v1/tariff', tariff),
  /** Today so far for the household's feeds (the hub picks them by its naming rule). */
  energyToday: () => call<EnergyToday>('GET', '/api/v1/energy/today'),
  /** A day (`2026-01-05`), month (`2026-01`) or year (`2026`) in the hub's timezone. */
  energyPeriod: (period: string, halfHours = false) =>
    call<EnergySummary>(
      'GET',
      `/api/v1/energy/summary?${period.length === 4 ? 'year' : period.length === 7 ? 'month' : 'date'}=${period}${halfHours ? '&halfHours=1' : ''}`,
    ),
  /** This week and this month so far against last week and the same month last year. */
  energyCompare: () => call<EnergyComparison>('GET', '/api/v1/energy/compare'),
  hub: () => call<HubFacts>('GET', '/api/v1/hub'),
  setTimeZone: (timeZone: string) => call<{ timeZone: string }>('PUT', '/api/v1/hub/timezone', { timeZone }),
  templates: () => call<{ id: string; name: string; description: string }[]>('GET', '/api/v1/templates'),
  applyTemplate: (id: string, node: string) =>
    call<unknown>('POST', `/api/v1/templates/${id}/apply`, { node }),
  setPassword: (username: string, password: string) =>
    call<void>('PUT', `/api/v1/users/${encodeURIComponent(username)}/password`, { password }),
  users: () => call<UserSummary[]>('GET', '/api/v1/users'),
  addUser: (username: string, password: string, role: string) =>
    call<UserSummary>('POST', '/api/v1/users', { username, password, role }),
  apiKeys: () => call<ApiKeys>('GET', '/api/v1/me/apikeys'),
  regenerateKey: (scope: 'read' | 'write') => call<ApiKeys>('POST', `/api/v1/me/apikeys/${scope}/regenerate`),
  /** A device's own MQTT login; the secret is in this answer only. */
  addDevice: (name: string, kind: string, topicName: string) =>
    call<NewDeviceLogin>('POST', '/api/v1/devices', { name, kind, topicName }),
  devices: () => call<DeviceView[]>('GET', '/api/v1/devices'),
  device: (id: number) => call<DeviceView>('GET', `/api/v1/devices/${id}`),
  updateDevice: (id: number, change: { name: string; room: string | null }) =>
    call<DeviceView>('PATCH', `/api/v1/devices/${id}`, change),
  /** Revokes the device's login and ends its MQTT connection. */
  deleteDevice: (id: number) => call<void>('DELETE', `/api/v1/devices/${id}`),
  /** Answered at once (202): the device's own report confirms it later (ControlStatusView on /ws). */
  setDeviceState: (id: number, desired: DesiredStateView) =>
    call<ControlStatusView>('PUT', `/api/v1/devices/${id}/state`, desired),
  schedule: (id: number) => call<DeviceScheduleJson>('GET', `/api/v1/devices/${id}/schedule`),
  setSchedule: (id: number, schedule: ScheduleJson) =>
    call<DeviceScheduleJson>('PUT', `/api/v1/devices/${id}/schedule`, schedule),
  /** Back to switching by hand. */
  clearSchedule: (id: number) => call<void>('DELETE', `/api/v1/devices/${id}/schedule`),
  /** Null while the device has no schedule. */
  plan: (id: number) => call<DevicePlanJson | null>('GET', `/api/v1/devices/${id}/plan`),
  signals: () => call<SignalsView>('GET', '/api/v1/signals'),
  communityDays: (days: number) => call<CommunityDaysJson>('GET', `/api/v1/community/days?days=${days}`),
  setTarget: (target: OptimisationTargetView) =>
    call<OptimisationTargetView & { missing: string[] }>('PUT', '/api/v1/signals/target', target),
  pairing: () => call<PairingStateView>('GET', '/api/v1/pairing'),
  setPairingWindow: (open: boolean) => call<PairingStateView>('POST', '/api/v1/pairing/window', { open }),
  sendBeacon: () => call<unknown>('POST', '/api/v1/pairing/beacon', {}),
  allowPairing: (ip: string, device: { name?: string; room?: string }) =>
    call<unknown>('POST', `/api/v1/pairing/requests/${encodeURIComponent(ip)}/allow`, device),
  denyPairing: (ip: string) =>
    call<unknown>('POST', `/api/v1/pairing/requests/${encodeURIComponent(ip)}/deny`, {}),
  allowClaim: (clientId: string, device: { name?: string; room?: string }) =>
    call<{ deviceId: number; topicName: string }>(
      'POST',
      `/api/v1/pairing/claims/${encodeURIComponent(clientId)}/allow`,
      device,
    ),
  denyClaim: (clientId: string) =>
    call<void>('POST', `/api/v1/pairing/claims/${encodeURIComponent(clientId)}/deny`, {}),
  claimSettings: (clientId: string) =>
    call<PairingClaimSettings>('GET', `/api/v1/pairing/claims/${encodeURIComponent(clientId)}/settings`),
  /** The broker's state; `detail` has `tcpPort` and `tlsPort` (absent when that listener is off). */
  mqttStatus: () => call<ComponentStatus>('GET', '/api/v1/mqtt/stats'),
  version: () => call<VersionInfo>('GET', '/api/v1/version'),
  readiness: async (): Promise<ReadinessReport> =>
    (await fetch('/readyz')).json() as Promise<ReadinessReport>,
  setProcessList: (inputId: number, steps: ProcessStepJson[]) =>
    call<InputJson>('PUT', `/api/v1/inputs/${inputId}/process`, { steps }),
};
