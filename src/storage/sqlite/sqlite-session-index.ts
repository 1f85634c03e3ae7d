// SessionIndex on the metadata index's SQLite database (table console_sessions, schema step 12).
import type Database from 'better-sqlite3';
import type { SessionIndex, SessionRecord } from '../session-index.js';

interface SessionRow {
  id_hash: string;
  access_key_id: string;
  secret_fingerprint: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
}

const COLUMNS = 'id_hash, access_key_id, secret_fingerprint, csrf_token, created_at, last_seen_at';

export function toSessionRecord(row: SessionRow): SessionRecord {
  return {
    idHash: row.id_hash,
    accessKeyId: row.access_key_id,
    secretFingerprint: row.secret_fingerprint,
    csrfToken: row.csrf_token,
    createdAt: Number(row.created_at),
    lastSeenAt: Number(row.last_seen_at),
  };
}

export type { SessionRow };
export const SESSION_COLUMNS = COLUMNS;

export class SqliteSessionIndex implements SessionIndex {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      insert: db.prepare<[string, string, string, string, number, number]>(`INSERT INTO console_sessions (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`),
      get: db.prepare<[string], SessionRow>(`SELECT ${COLUMNS} FROM console_sessions WHERE id_hash = ?`),
      touch: db.prepare<[number, string, number]>('UPDATE console_sessions SET last_seen_at = ? WHERE id_hash = ? AND last_seen_at < ?'),
      delete: db.prepare<[string]>('DELETE FROM console_sessions WHERE id_hash = ?'),
      expire: db.prepare<[number, number]>('DELETE FROM console_sessions WHERE last_seen_at < ? OR created_at < ?'),
    };
  }

  async createSession(r: SessionRecord): Promise<void> {
    this.write(() => this.s.insert.run(r.idHash, r.accessKeyId, r.secretFingerprint, r.csrfToken, r.createdAt, r.lastSeenAt));
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const row = this.s.get.get(idHash);
    return row && toSessionRecord(row);
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    this.write(() => this.s.touch.run(lastSeenAt, idHash, lastSeenAt));
  }

  async deleteSession(idHash: string): Promise<void> {
    this.write(() => this.s.delete.run(idHash));
  }

  async deleteExpiredSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return this.write(() => this.s.expire.run(idleBefore, createdBefore).changes);
  }

  private write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }
}
