// Console sessions, kept in the metadata database (storage/session-index.ts) so that every gateway knows every
// session and a restart ends none. The browser holds only a random id; the database keeps its SHA-256, so a
// copy of the table does not hand out live cookies. The key's secret is not kept: share links are signed with
// the secret looked up server-side at each request, and a fingerprint of the sign-in secret tells whether the
// key still has it. A session ends when it has been idle too long, at its absolute limit, at logout, or when
// its key or user stops being active (checked by the caller on every request).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionIndex, SessionRecord } from '../storage/session-index.js';

export type { SessionRecord } from '../storage/session-index.js';

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 60 * 60_000 };

/**
 * How stale a stored last-seen time may get before a request writes it again: at most one write per session per
 * minute (or per thirtieth of a shorter idle limit), so browsing costs reads only. The idle limit is therefore
 * kept to within this much.
 */
export const LAST_SEEN_WRITE_MS = 60_000;
/** How often a process deletes the expired sessions of every gateway (at a sign-in). */
const SWEEP_EVERY_MS = 10 * 60_000;

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const hashId = (id: string): string => sha256(id);
const fingerprint = (secretKey: string): string => sha256(`sklad console session key\n${secretKey}`);

export class SessionStore {
  #lastSweep = -Infinity;

  constructor(
    private readonly index: SessionIndex,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A fresh session with a new random id (never reusing one the browser sent: no session fixation). */
  async create(accessKeyId: string, secretKey: string): Promise<{ id: string; session: SessionRecord }> {
    await this.sweep();
    const id = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session: SessionRecord = {
      idHash: hashId(id),
      accessKeyId,
      secretFingerprint: fingerprint(secretKey),
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
    };
    await this.index.createSession(session);
    return { id, session };
  }

  /** The live session for a cookie value, its idle clock restarted; undefined when unknown or expired. */
  async touch(id: string): Promise<SessionRecord | undefined> {
    const hash = hashId(id);
    const session = await this.index.getSession(hash);
    if (session === undefined) return undefined;
    const now = this.clock();
    if (this.expired(session, now)) {
      await this.index.deleteSession(hash);
      return undefined;
    }
    if (now - session.lastSeenAt >= Math.min(LAST_SEEN_WRITE_MS, this.limits.idleMs / 30)) {
      await this.index.touchSession(hash, now);
      session.lastSeenAt = now;
    }
    return session;
  }

  async end(id: string): Promise<void> {
    await this.index.deleteSession(hashId(id));
  }

  /** Whether `secretKey` is the secret the session signed in with (compared in constant time). */
  signedInWith(session: SessionRecord, secretKey: string): boolean {
    const stored = Buffer.from(session.secretFingerprint);
    const given = Buffer.from(fingerprint(secretKey));
    return stored.length === given.length && timingSafeEqual(stored, given);
  }

  expiresAt(session: SessionRecord): number {
    return session.createdAt + this.limits.absoluteMs;
  }

  private expired(session: SessionRecord, now: number): boolean {
    return now - session.lastSeenAt > this.limits.idleMs || now >= session.createdAt + this.limits.absoluteMs;
  }

  /** Drops expired sessions now and then, so abandoned ones do not accumulate. */
  private async sweep(): Promise<void> {
    const now = this.clock();
    if (now - this.#lastSweep < SWEEP_EVERY_MS) return;
    this.#lastSweep = now;
    await this.index.deleteExpiredSessions(now - this.limits.idleMs, now - this.limits.absoluteMs);
  }
}
