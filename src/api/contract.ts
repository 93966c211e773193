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
