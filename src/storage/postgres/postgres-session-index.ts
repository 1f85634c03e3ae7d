// SessionIndex on the PostgreSQL metadata database (table console_sessions, schema step 4): a session created
// through one gateway is found by every other. Each statement stands alone, so none goes through the group
// commit: a sign-in or a last-seen update commits on its own pooled connection.
import type pg from 'pg';
import type { SessionIndex, SessionRecord } from '../session-index.js';
import { SESSION_COLUMNS, toSessionRecord, type SessionRow } from '../sqlite/sqlite-session-index.js';

const q = (name: string, text: string) => (values: unknown[] = []): pg.QueryConfig => ({ name, text, values });

const sql = {
  insert: q('session_insert', `INSERT INTO console_sessions (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`),
  get: q('session_get', `SELECT ${SESSION_COLUMNS} FROM console_sessions WHERE id_hash = $1`),
  touch: q('session_touch', 'UPDATE console_sessions SET last_seen_at = $1 WHERE id_hash = $2 AND last_seen_at < $1'),
  delete: q('session_delete', 'DELETE FROM console_sessions WHERE id_hash = $1'),
  expire: q('session_expire', 'DELETE FROM console_sessions WHERE last_seen_at < $1 OR created_at < $2'),
};

export class PostgresSessionIndex implements SessionIndex {
  constructor(private readonly pool: pg.Pool) {}

  async createSession(r: SessionRecord): Promise<void> {
    await this.pool.query(sql.insert([r.idHash, r.accessKeyId, r.secretFingerprint, r.csrfToken, r.createdAt, r.lastSeenAt]));
  }

  async getSession(idHash: string): Promise<SessionRecord | undefined> {
    const row = (await this.pool.query<SessionRow>(sql.get([idHash]))).rows[0];
    return row && toSessionRecord(row);
  }

  async touchSession(idHash: string, lastSeenAt: number): Promise<void> {
    await this.pool.query(sql.touch([lastSeenAt, idHash]));
  }

  async deleteSession(idHash: string): Promise<void> {
    await this.pool.query(sql.delete([idHash]));
  }

  async deleteExpiredSessions(idleBefore: number, createdBefore: number): Promise<number> {
    return (await this.pool.query(sql.expire([idleBefore, createdBefore]))).rowCount ?? 0;
  }
}
