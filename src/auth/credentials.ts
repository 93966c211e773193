import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { UserError } from '../shared/errors.js';

// scrypt, N=2^15 r=8 p=1: 32 MiB and ~0.1 s per hash on a Pi 4, stored with its
// parameters so they can be raised later without invalidating existing hashes. hubd runs them
// one at a time through PasswordHasher (password-hasher.ts).
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, keyLen: 32 };

export const USERNAME_RULE = /^[A-Za-z0-9._@-]{1,64}$/;
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export function checkUsername(username: unknown): string {
  if (typeof username !== 'string' || !USERNAME_RULE.test(username)) {
    throw new UserError('username must be 1 to 64 letters, digits or . _ @ -', 400, 'invalid_username');
  }
  return username;
}

export function checkPassword(password: unknown): string {
  if (
    typeof password !== 'string' ||
    password.length < PASSWORD_MIN_LENGTH ||
    password.length > PASSWORD_MAX_LENGTH
  ) {
    throw new UserError(
      `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
      400,
      'invalid_password',
    );
  }
  return password;
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await derive(password, salt, SCRYPT.keyLen, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, saltB64, hashB64] = stored.split('$');
  if (kind !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await derive(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/** emoncms's API key format: 32 lowercase hex characters. */
export function generateApiKey(): string {
  return randomBytes(16).toString('hex');
}

export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function derive(password: string, salt: Buffer, keyLen: number, opts: ScryptOptions): Promise<Buffer> {
  const maxmem = 256 * (opts.N ?? 0) * (opts.r ?? 0) + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLen, { ...opts, maxmem }, (err, key) => (err ? reject(err) : resolve(key))),
  );
}
