// The behaviour every SessionIndex implementation must share: console sessions stored by the hash of their id,
// last-seen times that only move forward, deletion one by one and by expiry.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionIndex, SessionRecord } from '../../src/storage/session-index.js';

export interface SessionIndexHandle {
  sessions: SessionIndex;
  close(): Promise<void>;
}

const session = (idHash: string, createdAt: number, lastSeenAt = createdAt): SessionRecord => ({
  idHash,
  accessKeyId: 'AKIDEXAMPLE',
  secretFingerprint: `fp-${idHash}`,
  csrfToken: `csrf-${idHash}`,
  createdAt,
  lastSeenAt,
});

export function runSessionIndexContract(name: string, open: () => Promise<SessionIndexHandle>): void {
  describe(`SessionIndex contract: ${name}`, () => {
    let handle: SessionIndexHandle;
    let index: SessionIndex;
    beforeEach(async () => {
      handle = await open();
      index = handle.sessions;
    });
    afterEach(async () => {
      await handle.close();
    });

    it('stores a session and reads it back exactly, by its hash only', async () => {
      const now = 1_764_000_000_000;
      await index.createSession(session('a'.repeat(64), now));
      expect(await index.getSession('a'.repeat(64))).toEqual(session('a'.repeat(64), now));
      expect(await index.getSession('b'.repeat(64))).toBeUndefined();
    });

    it('moves the last-seen time forward only', async () => {
      await index.createSession(session('s', 1000));
      await index.touchSession('s', 5000);
      await index.touchSession('s', 3000);
      expect((await index.getSession('s'))?.lastSeenAt).toBe(5000);
      await index.touchSession('missing', 5000);
      expect(await index.getSession('missing')).toBeUndefined();
    });

    it('deletes one session, and the expired ones by idle or absolute limit', async () => {
      await index.createSession(session('gone', 1000));
      await index.deleteSession('gone');
      await index.deleteSession('gone');
      expect(await index.getSession('gone')).toBeUndefined();
      await index.createSession(session('idle', 1000, 1000));
      await index.createSession(session('old-but-busy', 100, 9000));
      await index.createSession(session('fresh', 8000, 9000));
      expect(await index.deleteExpiredSessions(2000, 500)).toBe(2);
      expect(await index.getSession('fresh')).toBeDefined();
      expect(await index.getSession('idle')).toBeUndefined();
      expect(await index.getSession('old-but-busy')).toBeUndefined();
    });
  });
}
