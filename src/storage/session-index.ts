// Console sessions in the metadata database, so every gateway knows a session any of them created and a
// restart ends none. A row is keyed by the SHA-256 of the session id (the cookie value itself is never
// stored) and names the access key the session signed in with; the key's secret is not stored at all, only
// a fingerprint that tells whether the key's secret is still the one the session signed in with.

export interface SessionRecord {
  /** SHA-256 of the session id, hex. */
  idHash: string;
  /** The access key the session signed in with: the principal is looked up through it on every request. */
  accessKeyId: string;
  /** SHA-256 of the key's secret at sign-in: a different secret under the same key id ends the session. */
  secretFingerprint: string;
  csrfToken: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  lastSeenAt: number;
}

export interface SessionIndex {
  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  /** Moves the session's last-seen time forward (never back); a missing session is left missing. */
  touchSession(idHash: string, lastSeenAt: number): Promise<void>;
  deleteSession(idHash: string): Promise<void>;
  /** Deletes the sessions last seen before `idleBefore` or created before `createdBefore`; returns how many. */
  deleteExpiredSessions(idleBefore: number, createdBefore: number): Promise<number>;
}
