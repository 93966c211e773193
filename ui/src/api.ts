import type { ApiError, OnboardingState, SessionInfo } from '../../src/api/contract.js';

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
  onboardingState: () => call<OnboardingState>('GET', '/api/v1/onboarding'),
  onboard: (username: string, password: string) =>
    call<SessionInfo>('POST', '/api/v1/onboarding', { username, password }),
  session: () => call<SessionInfo>('GET', '/api/v1/session'),
  login: (username: string, password: string) =>
    call<SessionInfo>('POST', '/api/v1/session', { username, password }),
  logout: () => call<void>('DELETE', '/api/v1/session'),
};
