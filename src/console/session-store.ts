// Server-side console sessions. The browser holds only a random id; the store keeps its SHA-256, so a
// leaked memory dump or log of the map's keys does not hand out live cookies. A session ends when it has been
// idle too long, at its absolute limit, at logout, or when its key or user stops being active.
import { createHash, randomBytes } from 'node:crypto';
import type { Principal } from '../auth/credentials.js';

export interface Session {
  principal: Principal;
  /** The secret of the key the session signed in with: share links are presigned with it, server-side only. */
  secretKey: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 60 * 60_000 };

const hashId = (id: string): string => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  readonly #sessions = new Map<string, Session>();

  constructor(
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A fresh session with a new random id (never reusing one the browser sent: no session fixation). */
  create(principal: Principal, secretKey: string): { id: string; session: Session } {
    this.sweep();
    const id = randomBytes(32).toString('base64url');
    const now = this.clock();
    const session: Session = { principal, secretKey, csrfToken: randomBytes(32).toString('base64url'), createdAt: now, lastSeenAt: now };
    this.#sessions.set(hashId(id), session);
    return { id, session };
  }

  /** The live session for a cookie value, its idle clock restarted; undefined when unknown or expired. */
  touch(id: string): Session | undefined {
    const hash = hashId(id);
    const session = this.#sessions.get(hash);
    if (session === undefined) return undefined;
    const now = this.clock();
    if (this.expired(session, now)) {
      this.#sessions.delete(hash);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  end(id: string): void {
    this.#sessions.delete(hashId(id));
  }

  expiresAt(session: Session): number {
    return session.createdAt + this.limits.absoluteMs;
  }

  get size(): number {
    return this.#sessions.size;
  }

  private expired(session: Session, now: number): boolean {
    return now - session.lastSeenAt > this.limits.idleMs || now >= session.createdAt + this.limits.absoluteMs;
  }

  /** Drops expired sessions, so abandoned ones do not accumulate. */
  private sweep(): void {
    const now = this.clock();
    for (const [hash, session] of this.#sessions) if (this.expired(session, now)) this.#sessions.delete(hash);
  }
}
