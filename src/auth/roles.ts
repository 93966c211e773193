export const ROLES = ['admin', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Who a route is for: anyone, any signed-in user, or admins only. */
export type Access = 'public' | 'user' | 'admin';

/** The authenticated caller of a request. */
export interface Principal {
  userId: number;
  username: string;
  role: Role;
  via: 'session' | 'apikey';
  /** A read API key may only read; sessions and write keys may also change things. */
  scope: 'read' | 'write';
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
