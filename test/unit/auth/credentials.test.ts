import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPassword,
  checkUsername,
  generateApiKey,
  hashPassword,
  verifyPassword,
} from '../../../src/auth/credentials.js';

describe('credentials', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse');
    assert.match(hash, /^scrypt\$32768\$8\$1\$/);
    assert.equal(await verifyPassword('correct horse', hash), true);
    assert.equal(await verifyPassword('correct hors', hash), false);
  });

  it('salts every hash', async () => {
    assert.notEqual(await hashPassword('same password'), await hashPassword('same password'));
  });

  it('refuses a malformed stored hash', async () => {
    assert.equal(await verifyPassword('x', 'plain-text'), false);
  });

  it('makes API keys in emoncms format', () => {
    const keys = new Set(Array.from({ length: 50 }, generateApiKey));
    assert.equal(keys.size, 50);
    for (const key of keys) assert.match(key, /^[0-9a-f]{32}$/);
  });

  const badNames = ['', 'a b', 'x'.repeat(65), 'ünïcode', 42];
  for (const name of badNames) {
    it(`refuses the username ${JSON.stringify(name)}`, () => {
      assert.throws(() => checkUsername(name), /username must be/);
    });
  }

  it('refuses passwords shorter than 8 characters', () => {
    assert.throws(() => checkPassword('short'), /password must be 8 to 256 characters/);
    assert.equal(checkPassword('long enough'), 'long enough');
  });
});
