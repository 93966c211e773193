import type { Component, ComponentStatus } from '../shared/component.js';
import { PasswordChecksBusyError } from './auth-errors.js';
import { hashPassword, verifyPassword } from './credentials.js';

/**
 * Password checks waiting behind the running one. Each scrypt takes 32 MiB (credentials.ts) for
 * ~0.1 s on a Pi 4; run side by side on libuv's 4 threads they took 128 MiB at once. One at a
 * time, 8 waiting is under a second or two of queue, more than a household signs in at once.
 */
export const MAX_WAITING_PASSWORD_CHECKS = 8;

/** The key derivation; injected so a test can hold a check open. */
export interface PasswordKdf {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

const SCRYPT_KDF: PasswordKdf = { hash: hashPassword, verify: verifyPassword };

/**
 * Hashes and checks passwords one at a time, with a bounded queue: a check that finds it full is
 * refused at once with PasswordChecksBusyError (503, retry in 1 s) and counted in /readyz.
 */
export class PasswordHasher implements Component {
  readonly name = 'passwords';
  readonly neededForReady = false;
  /** Checks and hashes admitted and not yet finished: the running one and those waiting. */
  private admitted = 0;
  private tail: Promise<unknown> = Promise.resolve();
  readonly counters = { checked: 0, refusedBusy: 0 };

  constructor(
    private readonly maxWaiting = MAX_WAITING_PASSWORD_CHECKS,
    private readonly kdf: PasswordKdf = SCRYPT_KDF,
  ) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  status(): ComponentStatus {
    return {
      state: 'ready',
      detail: {
        inProgress: this.admitted,
        maxWaiting: this.maxWaiting,
        checked: this.counters.checked,
        refusedBusy: this.counters.refusedBusy,
      },
    };
  }

  /**
   * Throws PasswordChecksBusyError (counted) when a check would not be admitted now. A login
   * calls it before its attempt is counted, so a busy hub never counts as a wrong password.
   */
  ensureRoom(): void {
    if (this.admitted <= this.maxWaiting) return;
    this.counters.refusedBusy++;
    throw new PasswordChecksBusyError();
  }

  hash(password: string): Promise<string> {
    return this.enqueue(() => this.kdf.hash(password));
  }

  /**
   * Whether `password` matches `stored`. Without a stored hash (no such user) it hashes anyway
   * and answers false, so an unknown user costs what a known one does and cannot be told apart.
   */
  verify(password: string, stored: string | undefined): Promise<boolean> {
    return this.enqueue(async () =>
      stored === undefined ? (await this.kdf.hash(password), false) : this.kdf.verify(password, stored),
    );
  }

  /** Admits `derive` synchronously (or throws), so callers that check room first cannot race. */
  private enqueue<T>(derive: () => Promise<T>): Promise<T> {
    this.ensureRoom();
    this.admitted++;
    const result = this.tail.then(derive).finally(() => {
      this.admitted--;
      this.counters.checked++;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
