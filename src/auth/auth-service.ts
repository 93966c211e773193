import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.js';
import { UserError } from '../shared/errors.js';
import { checkPassword, checkUsername, generateApiKey, generateToken } from './credentials.js';
import { PasswordHasher } from './password-hasher.js';
import type { SessionRepo, SignInStore, User, UserRecord, UserRepo } from './ports.js';
import { RateLimitedError } from './auth-errors.js';
import { LoginLimiter } from './login-limiter.js';
import { isRole, type Principal, type Role } from './roles.js';

export interface AuthSettings {
  sessionTtlH: number;
  loginFailuresPerUser: number;
  loginFailuresPerIp: number;
  loginWindowS: number;
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  expiresAtMs: number;
  user: User;
}

export interface SessionView {
  principal: Principal;
  csrfToken: string;
}

export interface ApiKeys {
  readApiKey: string;
  writeApiKey: string;
}

/** One message for a wrong password and an unknown user, so neither can be told apart. */
const BAD_LOGIN = () => new UserError('wrong username or password', 401, 'bad_credentials');

export { RateLimitedError };

export class AuthService {
  private readonly limiter: LoginLimiter;

  constructor(
    private readonly users: UserRepo,
    private readonly sessions: SessionRepo,
    private readonly clock: Clock,
    private readonly settings: AuthSettings,
    signIns?: SignInStore,
    /** One scrypt at a time (32 MiB each), a few waiting; more are refused with 503. */
    readonly passwords = new PasswordHasher(),
  ) {
    this.limiter = new LoginLimiter(clock, settings, signIns);
  }

  needsOnboarding(): boolean {
    return this.users.count() === 0;
  }

  /** Creates the first administrator; refused once any user exists. */
  async onboard(username: string, password: string): Promise<User> {
    const newUser = await this.newUser(username, password, 'admin');
    const created = this.users.insertFirst(newUser);
    if (!created) throw new UserError('the hub already has an administrator', 409, 'already_onboarded');
    return publicUser(created);
  }

  async login(username: string, password: string, ip: string): Promise<LoginResult> {
    const user = await this.checkCredentials(username, password, ip);
    if (!user) throw BAD_LOGIN();
    return this.openSession(user);
  }

  /**
   * The user these credentials belong to, or undefined; the same limits for the web and MQTT
   * (see LoginLimiter): a username+address or an address that failed too often is refused; a
   * username failing from one network gets its passwords from there checked one at a time, spaced
   * out, except from addresses where it signed in lately.
   */
  async checkCredentials(username: unknown, password: unknown, ip: string): Promise<UserRecord | undefined> {
    const name = typeof username === 'string' ? username : '';
    // Before the attempt is counted: a busy hub is no wrong password. Nothing awaits between
    // here and verify(), so the check is still admitted there.
    this.passwords.ensureRoom();
    const verdict = this.limiter.attempt(name, ip);
    if (verdict.kind === 'refuse') throw new RateLimitedError(verdict.retryAfterS);

    const record = typeof username === 'string' ? this.users.byUsername(username) : undefined;
    const ok =
      typeof password === 'string' &&
      (await this.passwords.verify(password, record?.passwordHash)) &&
      record !== undefined;
    if (!ok || !record) return undefined;
    this.limiter.succeeded(name, ip);
    return record;
  }

  logout(token: string): void {
    this.sessions.delete(sha256(token));
  }

  session(token: string): SessionView | undefined {
    const session = this.sessions.byTokenSha256(sha256(token));
    if (!session) return undefined;
    if (session.expiresAtMs <= this.clock.nowMs()) {
      this.sessions.delete(sha256(token));
      return undefined;
    }
    const user = this.users.byId(session.userId);
    if (!user) return undefined;
    return { principal: principalOf(user, 'session', 'write'), csrfToken: session.csrfToken };
  }

  principalForApiKey(apiKey: string): Principal | undefined {
    if (!/^[0-9a-f]{32}$/.test(apiKey)) return undefined;
    const found = this.users.byApiKey(apiKey);
    return found && principalOf(found.user, 'apikey', found.scope);
  }

  user(id: number): User | undefined {
    const record = this.users.byId(id);
    return record && publicUser(record);
  }

  /** A user changing their own password must know the current one. */
  async changeOwnPassword(userId: number, currentPassword: string, newPassword: string): Promise<void> {
    const user = this.users.byId(userId);
    const ok = user !== undefined && (await this.passwords.verify(currentPassword, user.passwordHash));
    if (!ok) throw new UserError('the current password is wrong', 403, 'bad_credentials');
    await this.setPassword(user.username, newPassword);
  }

  listUsers(): User[] {
    return this.users.list();
  }

  /** `unknown` until the control socket's user commands parse their JSON arguments (src/api/control). */
  async addUser(username: unknown, password: unknown, role: unknown): Promise<User> {
    if (!isRole(role)) throw new UserError('role must be "admin" or "viewer"', 400, 'invalid_role');
    const newUser = await this.newUser(username, password, role);
    if (this.users.byUsername(newUser.username)) {
      throw new UserError(`user "${newUser.username}" already exists`, 409, 'user_exists');
    }
    return publicUser(this.users.insert(newUser));
  }

  /** Sets a new password and ends every session of that user. */
  async setPassword(username: string, password: unknown): Promise<void> {
    const user = this.requireUser(username);
    this.users.setPasswordHash(user.id, await this.passwords.hash(checkPassword(password)));
    this.sessions.deleteForUser(user.id);
  }

  deleteUser(username: string): void {
    const user = this.requireUser(username);
    if (user.role === 'admin' && this.users.countAdmins() === 1) {
      throw new UserError('the last administrator cannot be deleted', 409, 'last_admin');
    }
    this.users.delete(user.id);
  }

  apiKeys(userId: number): ApiKeys {
    const user = this.users.byId(userId);
    if (!user) throw new UserError('no such user', 404, 'not_found');
    return { readApiKey: user.readApiKey, writeApiKey: user.writeApiKey };
  }

  regenerateApiKey(userId: number, scope: 'read' | 'write'): ApiKeys {
    this.users.setApiKey(userId, scope, generateApiKey());
    return this.apiKeys(userId);
  }

  private openSession(user: UserRecord): LoginResult {
    const nowMs = this.clock.nowMs();
    this.sessions.deleteExpired(nowMs);
    const token = generateToken();
    const csrfToken = generateToken();
    const expiresAtMs = nowMs + this.settings.sessionTtlH * 3_600_000;
    this.sessions.insert(sha256(token), { userId: user.id, csrfToken, expiresAtMs }, nowMs);
    return { token, csrfToken, expiresAtMs, user: publicUser(user) };
  }

  private async newUser(username: unknown, password: unknown, role: Role) {
    return {
      username: checkUsername(username),
      role,
      passwordHash: await this.passwords.hash(checkPassword(password)),
      readApiKey: generateApiKey(),
      writeApiKey: generateApiKey(),
      createdAtMs: this.clock.nowMs(),
    };
  }

  private requireUser(username: string): UserRecord {
    const user = this.users.byUsername(username);
    if (!user) throw new UserError(`no user "${username}"`, 404, 'not_found');
    return user;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function publicUser(user: User): User {
  return { id: user.id, username: user.username, role: user.role, createdAtMs: user.createdAtMs };
}

function principalOf(user: User, via: Principal['via'], scope: Principal['scope']): Principal {
  return { userId: user.id, username: user.username, role: user.role, via, scope };
}
