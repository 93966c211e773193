import type { Db } from '../db/database.sqlite.js';
import type { Session, SessionRepo } from './ports.js';

interface Row {
  user_id: number;
  csrf_token: string;
  expires_at_ms: number;
}

/** Sessions live in SQLite (written at login and logout only) so they survive a Redis restart. */
export class SqliteSessionRepo implements SessionRepo {
  constructor(private readonly db: Db) {}

  insert(tokenSha256: string, session: Session, createdAtMs: number): void {
    this.db
      .prepare(
        `INSERT INTO sessions (token_sha256, user_id, csrf_token, created_at_ms, expires_at_ms)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(tokenSha256, session.userId, session.csrfToken, createdAtMs, session.expiresAtMs);
  }

  byTokenSha256(tokenSha256: string): Session | undefined {
    const row = this.db
      .prepare('SELECT user_id, csrf_token, expires_at_ms FROM sessions WHERE token_sha256 = ?')
      .get(tokenSha256) as Row | undefined;
    return row && { userId: row.user_id, csrfToken: row.csrf_token, expiresAtMs: row.expires_at_ms };
  }

  delete(tokenSha256: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_sha256 = ?').run(tokenSha256);
  }

  deleteForUser(userId: number): void {
    this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId);
  }

  deleteExpired(nowMs: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at_ms <= ?').run(nowMs).changes;
  }
}
