import type { Db } from '../db/database.sqlite.js';
import type { NewUser, User, UserRecord, UserRepo } from './ports.js';
import type { Role } from './roles.js';

interface Row {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  read_apikey: string;
  write_apikey: string;
  created_at_ms: number;
}

const toRecord = (r: Row): UserRecord => ({
  id: r.id,
  username: r.username,
  role: r.role,
  passwordHash: r.password_hash,
  readApiKey: r.read_apikey,
  writeApiKey: r.write_apikey,
  createdAtMs: r.created_at_ms,
});

export class SqliteUserRepo implements UserRepo {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  countAdmins(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'").get() as { n: number }).n;
  }

  insertFirst(user: NewUser): UserRecord | undefined {
    return this.db.transaction(() => (this.count() === 0 ? this.insert(user) : undefined)).immediate();
  }

  insert(user: NewUser): UserRecord {
    const result = this.db
      .prepare(
        `INSERT INTO users (username, role, password_hash, read_apikey, write_apikey, created_at_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(user.username, user.role, user.passwordHash, user.readApiKey, user.writeApiKey, user.createdAtMs);
    return { ...user, id: Number(result.lastInsertRowid) };
  }

  byId(id: number): UserRecord | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as Row | undefined;
    return row && toRecord(row);
  }

  byUsername(username: string): UserRecord | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as Row | undefined;
    return row && toRecord(row);
  }

  byApiKey(apiKey: string): { user: UserRecord; scope: 'read' | 'write' } | undefined {
    const row = this.db
      .prepare('SELECT * FROM users WHERE read_apikey = ? OR write_apikey = ?')
      .get(apiKey, apiKey) as Row | undefined;
    if (!row) return undefined;
    return { user: toRecord(row), scope: row.write_apikey === apiKey ? 'write' : 'read' };
  }

  list(): User[] {
    const rows = this.db
      .prepare('SELECT id, username, role, created_at_ms FROM users ORDER BY id')
      .all() as Row[];
    return rows.map((r) => ({ id: r.id, username: r.username, role: r.role, createdAtMs: r.created_at_ms }));
  }

  setPasswordHash(id: number, passwordHash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, id);
  }

  setApiKey(id: number, scope: 'read' | 'write', apiKey: string): void {
    const column = scope === 'read' ? 'read_apikey' : 'write_apikey';
    this.db.prepare(`UPDATE users SET ${column} = ? WHERE id = ?`).run(apiKey, id);
  }

  delete(id: number): void {
    this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
  }
}
