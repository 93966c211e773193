import type { Db } from '../db/database.sqlite.js';
import type { SignIn, SignInStore } from './ports.js';

interface Row {
  username: string;
  client: string;
  signed_in_at_ms: number;
}

/** Recent sign-ins in SQLite, so the addresses exempt from login spacing survive a restart. */
export class SqliteSignInRepo implements SignInStore {
  constructor(private readonly db: Db) {}

  save(s: SignIn): void {
    this.db
      .prepare(
        `INSERT INTO recent_sign_ins (username, client, signed_in_at_ms) VALUES (?, ?, ?)
         ON CONFLICT (username, client) DO UPDATE SET signed_in_at_ms = excluded.signed_in_at_ms`,
      )
      .run(s.user, s.client, s.atMs);
  }

  newest(limit: number): SignIn[] {
    const rows = this.db
      .prepare(
        'SELECT username, client, signed_in_at_ms FROM recent_sign_ins ORDER BY signed_in_at_ms DESC LIMIT ?',
      )
      .all(limit) as Row[];
    return rows.map((r) => ({ user: r.username, client: r.client, atMs: r.signed_in_at_ms }));
  }

  deleteBefore(ms: number): void {
    this.db.prepare('DELETE FROM recent_sign_ins WHERE signed_in_at_ms < ?').run(ms);
  }
}
