import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const DEFAULT_UPDATE_KEY_FILE = '/etc/hub/update-key.pub.pem';

/** The update public key, or why there is none (a missing or unreadable file is not fatal). */
export function readUpdatePublicKey(file: string): { key: KeyObject } | { key: undefined; reason: string } {
  try {
    const key = createPublicKey(readFileSync(file));
    if (key.asymmetricKeyType !== 'ed25519')
      return { key: undefined, reason: `${file} is not an Ed25519 key` };
    return { key };
  } catch (error) {
    return { key: undefined, reason: `${file}: ${(error as Error).message}` };
  }
}
