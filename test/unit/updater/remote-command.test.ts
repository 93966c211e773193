import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { signManifest } from '../../../src/updater/bundle-verify.js';
import {
  checkRemoteCommand,
  encodeSignedCommand,
  MAX_COMMAND_MESSAGE_BYTES,
  type CommandCheckContext,
  type RemoteCommand,
} from '../../../src/updater/remote-command.js';

const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const NOW_MS = Date.parse('2026-11-28T06:00:00.000Z');

const command: RemoteCommand = {
  format: 1,
  type: 'update',
  id: 'cmd-1',
  hubId: 'hub-abc',
  issuedAt: '2026-11-28T05:59:00.000Z',
  expiresAt: '2026-11-29T05:59:00.000Z',
  version: '1.3.0',
  url: 'https://updates.example.org/hub-1.3.0.bundle',
  sha256: 'a'.repeat(64),
  bytes: 123456,
};
const ctx: CommandCheckContext = {
  publicKey: keys.publicKey,
  hubId: 'hub-abc',
  nowMs: NOW_MS,
  lastIssuedAtMs: undefined,
};

function check(message: string | Buffer, over: Partial<CommandCheckContext> = {}) {
  return checkRemoteCommand(Buffer.from(message), { ...ctx, ...over });
}
/** Signs arbitrary command JSON (bypassing the typed encoder), as an attacker with the key could. */
function signRaw(value: unknown, privateKey = keys.privateKey): string {
  return encodeSignedCommand(value as RemoteCommand, privateKey);
}
function codeOf(result: ReturnType<typeof check>): string {
  return result.ok ? 'accepted' : result.code;
}

describe('remote command check', () => {
  it('accepts a command signed by the update key and returns the order', () => {
    const result = check(encodeSignedCommand(command, keys.privateKey));
    assert.deepEqual(result, {
      ok: true,
      order: { id: 'cmd-1', version: '1.3.0', url: command.url, sha256: 'a'.repeat(64), bytes: 123456 },
      issuedAtMs: Date.parse(command.issuedAt),
    });
  });

  it('refuses a message that is not JSON or not base64', () => {
    assert.equal(codeOf(check('not json')), 'bad-format');
    assert.equal(codeOf(check(JSON.stringify({ command: '!!!!', signature: 'AAAA' }))), 'bad-format');
    const good = JSON.parse(encodeSignedCommand(command, keys.privateKey)) as Record<string, string>;
    assert.equal(codeOf(check(JSON.stringify({ ...good, extra: 1 }))), 'bad-format');
  });

  it('refuses an unsigned command and a wrong signature', () => {
    const bytes = Buffer.from(JSON.stringify(command)).toString('base64');
    assert.equal(codeOf(check(JSON.stringify({ command: bytes, signature: 'AAAA' }))), 'bad-signature');
    const zeros = Buffer.alloc(64).toString('base64');
    assert.equal(codeOf(check(JSON.stringify({ command: bytes, signature: zeros }))), 'bad-signature');
  });

  it('refuses a command whose bytes were changed after signing', () => {
    const good = JSON.parse(encodeSignedCommand(command, keys.privateKey)) as Record<string, string>;
    const altered = Buffer.from(JSON.stringify({ ...command, url: 'https://evil.example/x.bundle' }));
    const result = check(JSON.stringify({ ...good, command: altered.toString('base64') }));
    assert.equal(codeOf(result), 'bad-signature');
  });

  it('refuses a command signed by another key', () => {
    assert.equal(codeOf(check(encodeSignedCommand(command, otherKeys.privateKey))), 'bad-signature');
  });

  it('refuses a bundle manifest signature replayed as a command', () => {
    const bytes = Buffer.from(JSON.stringify(command));
    const bundleSignature = signManifest(bytes, keys.privateKey);
    const wire = JSON.stringify({
      command: bytes.toString('base64'),
      signature: bundleSignature.toString('base64'),
    });
    assert.equal(codeOf(check(wire)), 'bad-signature');
  });

  it('refuses every command when the hub has no update key', () => {
    const result = check(encodeSignedCommand(command, keys.privateKey), { publicKey: undefined });
    assert.equal(codeOf(result), 'no-update-key');
  });

  it('refuses a command for another hub', () => {
    assert.equal(codeOf(check(signRaw({ ...command, hubId: 'hub-other' }))), 'wrong-hub');
  });

  it('refuses a replay: issuedAt not later than the last accepted one', () => {
    const issuedAtMs = Date.parse(command.issuedAt);
    const wire = encodeSignedCommand(command, keys.privateKey);
    assert.equal(codeOf(check(wire, { lastIssuedAtMs: issuedAtMs })), 'replay');
    assert.equal(codeOf(check(wire, { lastIssuedAtMs: issuedAtMs + 1 })), 'replay');
    assert.equal(codeOf(check(wire, { lastIssuedAtMs: issuedAtMs - 1 })), 'accepted');
  });

  it('refuses an expired command and one valid for more than 7 days', () => {
    const wire = encodeSignedCommand(command, keys.privateKey);
    assert.equal(codeOf(check(wire, { nowMs: Date.parse(command.expiresAt) })), 'expired');
    const long = signRaw({ ...command, expiresAt: '2026-12-05T05:59:00.001Z' });
    assert.equal(codeOf(check(long)), 'expired');
    const sevenDays = signRaw({ ...command, expiresAt: '2026-12-05T05:59:00.000Z' });
    assert.equal(codeOf(check(sevenDays)), 'accepted');
  });

  it('refuses any type but update as unknown-command', () => {
    const result = check(signRaw({ ...command, type: 'reboot' }));
    assert.equal(codeOf(result), 'unknown-command');
  });

  it('refuses extra fields and bad values in a signed command', () => {
    assert.equal(codeOf(check(signRaw({ ...command, shell: 'rm -rf /' }))), 'bad-command');
    assert.equal(codeOf(check(signRaw({ ...command, format: 2 }))), 'bad-command');
    assert.equal(codeOf(check(signRaw({ ...command, bytes: 0 }))), 'bad-command');
    assert.equal(codeOf(check(signRaw({ ...command, bytes: 2 * 1024 ** 3 + 1 }))), 'bad-command');
    assert.equal(codeOf(check(signRaw({ ...command, sha256: 'A'.repeat(64) }))), 'bad-command');
  });

  it('refuses a url that is not http: or https:', () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.org/x.bundle', 'not a url']) {
      assert.equal(codeOf(check(signRaw({ ...command, url }))), 'bad-command', url);
    }
    assert.equal(codeOf(check(signRaw({ ...command, url: 'http://10.0.0.5/x.bundle' }))), 'accepted');
  });

  it('refuses a message over the size cap before parsing it', () => {
    const big = Buffer.alloc(MAX_COMMAND_MESSAGE_BYTES + 1, 0x20);
    assert.equal(codeOf(check(big)), 'too-large');
  });
});
