// The signed remote update command: the only thing the hub accepts from its server. The broker and
// its accounts are not trusted; the command itself must be signed by the update key. The signature
// covers a prefix different from a bundle's, so neither kind of signature passes as the other.
// Pure: the caller supplies the key, the clock's time and the last accepted issuedAt.
import { sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { RemoteUpdateOrder } from './update-inbox.js';
import { isVersion } from './version.js';

const SIGNED_PREFIX = Buffer.from('energy-hub remote command v1\n', 'ascii');
/** The wire message: base64 command (≤ 4 KiB of JSON) and a 64-byte signature, with room to spare. */
export const MAX_COMMAND_MESSAGE_BYTES = 8192;
export const MAX_COMMAND_LIFETIME_MS = 7 * 24 * 3600_000;
export const MAX_BUNDLE_BYTES = 2 * 1024 ** 3;

export type CommandRefusalCode =
  | 'too-large'
  | 'bad-format'
  | 'no-update-key'
  | 'bad-signature'
  | 'bad-command'
  | 'unknown-command'
  | 'wrong-hub'
  | 'expired'
  | 'replay';

export interface CommandRefusal {
  ok: false;
  code: CommandRefusalCode;
  reason: string;
}
export type CommandCheck = { ok: true; order: RemoteUpdateOrder; issuedAtMs: number } | CommandRefusal;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'base64');
const wireSchema = z.strictObject({ command: base64.min(4), signature: base64.min(4) });

const isoTime = z.string().datetime({ offset: true });
const httpUrl = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'an http: or https: URL');

export const remoteCommandSchema = z.strictObject({
  format: z.literal(1),
  type: z.literal('update'),
  id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and dashes'),
  hubId: z.string().min(1).max(100),
  issuedAt: isoTime,
  expiresAt: isoTime,
  version: z.string().max(40).refine(isVersion, 'a version MAJOR.MINOR.PATCH[-pre]'),
  url: httpUrl,
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
  bytes: z.number().int().min(1).max(MAX_BUNDLE_BYTES),
});
export type RemoteCommand = z.infer<typeof remoteCommandSchema>;

export function signedCommandMessage(commandBytes: Uint8Array): Buffer {
  return Buffer.concat([SIGNED_PREFIX, commandBytes]);
}

/** The wire JSON for a command (scripts/make-bundle.ts sign-command, tests). */
export function encodeSignedCommand(command: RemoteCommand, privateKey: KeyObject): string {
  const bytes = Buffer.from(JSON.stringify(command), 'utf8');
  const signature = sign(null, signedCommandMessage(bytes), privateKey);
  return JSON.stringify({ command: bytes.toString('base64'), signature: signature.toString('base64') });
}

function refuse(code: CommandRefusalCode, reason: string): CommandRefusal {
  return { ok: false, code, reason };
}

export interface CommandCheckContext {
  /** The update public key; undefined when the hub has none (every command is refused). */
  publicKey: KeyObject | undefined;
  hubId: string;
  nowMs: number;
  /** issuedAt of the last accepted command, or undefined if none was ever accepted. */
  lastIssuedAtMs: number | undefined;
}

/** Size, wire shape, signature, then (only for a signed command) its content, hub, time and replay. */
export function checkRemoteCommand(message: Uint8Array, ctx: CommandCheckContext): CommandCheck {
  if (message.length > MAX_COMMAND_MESSAGE_BYTES) {
    return refuse(
      'too-large',
      `the message has ${message.length} bytes (at most ${MAX_COMMAND_MESSAGE_BYTES})`,
    );
  }
  if (!ctx.publicKey) return refuse('no-update-key', 'this hub has no update key');
  if (ctx.publicKey.asymmetricKeyType !== 'ed25519') {
    return refuse('no-update-key', 'the update key is not an Ed25519 key');
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(message).toString('utf8'));
  } catch {
    return refuse('bad-format', 'the message is not JSON');
  }
  const wire = wireSchema.safeParse(json);
  if (!wire.success) return refuse('bad-format', 'the message is not {command, signature} in base64');
  const commandBytes = Buffer.from(wire.data.command, 'base64');
  const signature = Buffer.from(wire.data.signature, 'base64');
  if (signature.length !== 64) return refuse('bad-signature', 'the signature is not 64 bytes');
  if (!verify(null, signedCommandMessage(commandBytes), ctx.publicKey, signature)) {
    return refuse('bad-signature', 'the command is not signed by this hub’s update key');
  }
  let command: unknown;
  try {
    command = JSON.parse(commandBytes.toString('utf8'));
  } catch {
    return refuse('bad-command', 'the signed command is not JSON');
  }
  if (typeof command === 'object' && command !== null && 'type' in command && command.type !== 'update') {
    return refuse('unknown-command', `no remote command "${String(command.type).slice(0, 40)}"`);
  }
  const parsed = remoteCommandSchema.safeParse(command);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(command)';
    return refuse('bad-command', `the signed command is invalid: ${where}: ${issue?.message}`);
  }
  const c = parsed.data;
  if (c.hubId !== ctx.hubId) return refuse('wrong-hub', 'the command is for another hub');
  const issuedAtMs = Date.parse(c.issuedAt);
  const expiresAtMs = Date.parse(c.expiresAt);
  if (expiresAtMs - issuedAtMs > MAX_COMMAND_LIFETIME_MS) {
    return refuse('expired', 'the command is valid for more than 7 days');
  }
  if (expiresAtMs <= ctx.nowMs) return refuse('expired', `the command expired at ${c.expiresAt}`);
  if (ctx.lastIssuedAtMs !== undefined && issuedAtMs <= ctx.lastIssuedAtMs) {
    return refuse('replay', 'the command is not newer than the last accepted one');
  }
  const order = { id: c.id, version: c.version, url: c.url, sha256: c.sha256, bytes: c.bytes };
  return { ok: true, order, issuedAtMs };
}
