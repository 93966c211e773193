import type { Principal, Role } from './roles.js';

export interface User {
  id: number;
  username: string;
  role: Role;
  createdAtMs: number;
}

export interface UserRecord extends User {
  passwordHash: string;
  readApiKey: string;
  writeApiKey: string;
}

export interface NewUser {
  username: string;
  role: Role;
  passwordHash: string;
  readApiKey: string;
  writeApiKey: string;
  createdAtMs: number;
}

export interface UserRepo {
  count(): number;
  countAdmins(): number;
  /** Inserts only if no user exists yet; returns undefined if one does (onboarding race). */
  insertFirst(user: NewUser): UserRecord | undefined;
  insert(user: NewUser): UserRecord;
  byId(id: number): UserRecord | undefined;
  byUsername(username: string): UserRecord | undefined;
  byApiKey(apiKey: string): { user: UserRecord; scope: 'read' | 'write' } | undefined;
  list(): User[];
  setPasswordHash(id: number, passwordHash: string): void;
  setApiKey(id: number, scope: 'read' | 'write', apiKey: string): void;
  delete(id: number): void;
}

export interface Session {
  userId: number;
  csrfToken: string;
  expiresAtMs: number;
}

export interface SessionRepo {
  insert(tokenSha256: string, session: Session, createdAtMs: number): void;
  byTokenSha256(tokenSha256: string): Session | undefined;
  delete(tokenSha256: string): void;
  deleteForUser(userId: number): void;
  deleteExpired(nowMs: number): number;
}

/** A successful sign-in: `client` is the address key (IPv4, or an IPv6 /64). */
export interface SignIn {
  user: string;
  client: string;
  atMs: number;
}

export interface SignInStore {
  /** Inserts or moves the sign-in's time forward. */
  save(signIn: SignIn): void;
  /** The latest sign-ins, newest first. */
  newest(limit: number): SignIn[];
  deleteBefore(ms: number): void;
}

/** What other capabilities may ask of the users: the broker's logins, auto-configure's owner. */
export interface UserDirectory {
  principalForApiKey(apiKey: string): Principal | undefined;
  /** Throws RateLimitedError (auth-errors.ts) while the address or user is throttled. */
  checkCredentials(username: unknown, password: unknown, ip: string): Promise<User | undefined>;
  listUsers(): User[];
}
