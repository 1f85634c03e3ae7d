import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteMetadataIndex } from '../storage/sqlite/sqlite-metadata-index.js';
import { LAST_SEEN_WRITE_MS, SessionStore } from './session-store.js';
import { LoginLimiter } from './login-limiter.js';

describe('console sessions', () => {
  let dir: string;
  let index: SqliteMetadataIndex;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sklad-sessions-'));
    index = SqliteMetadataIndex.open(path.join(dir, 'index.sqlite'));
  });
  afterEach(async () => {
    await index.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('end after the idle limit, and at the absolute limit however active they are', async () => {
    let now = 0;
    const store = new SessionStore(index.sessions(), { idleMs: 1000, absoluteMs: 5000 }, () => now);
    const { id } = await store.create('AK', 'secret');
    now = 900;
    expect(await store.touch(id)).toBeDefined();
    now = 1800;
    expect(await store.touch(id), 'touched 900 ms ago').toBeDefined();
    now = 2801;
    expect(await store.touch(id), 'idle for 1001 ms').toBeUndefined();
    const { id: busy } = await store.create('AK', 'secret');
    for (now = 3000; now < 7900; now += 500) expect(await store.touch(busy)).toBeDefined();
    now = 8000;
    expect(await store.touch(busy), 'past the absolute limit').toBeUndefined();
  });

  it('finds a session by its exact id only, stores neither the id nor the secret, and forgets it when ended', async () => {
    const store = new SessionStore(index.sessions());
    const { id, session } = await store.create('AK', 'the-secret');
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(session.csrfToken).not.toBe(id);
    expect((await store.touch(id))?.csrfToken).toBe(session.csrfToken);
    expect(await store.touch(id + 'x')).toBeUndefined();
    const stored = await index.sessions().getSession(session.idHash);
    expect(JSON.stringify(stored)).not.toContain(id);
    expect(JSON.stringify(stored)).not.toContain('the-secret');
    expect(store.signedInWith(session, 'the-secret')).toBe(true);
    expect(store.signedInWith(session, 'another-secret')).toBe(false);
    await store.end(id);
    expect(await store.touch(id)).toBeUndefined();
  });

  it('writes the last-seen time at most once a minute', async () => {
    let now = 1_000_000;
    const store = new SessionStore(index.sessions(), { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000 }, () => now);
    const { id, session } = await store.create('AK', 's');
    now += LAST_SEEN_WRITE_MS - 1;
    await store.touch(id);
    expect((await index.sessions().getSession(session.idHash))?.lastSeenAt).toBe(1_000_000);
    now += 1;
    await store.touch(id);
    expect((await index.sessions().getSession(session.idHash))?.lastSeenAt).toBe(now);
  });

  it('survives a reopen of the database, and drops expired sessions at a later sign-in', async () => {
    let now = 0;
    const limits = { idleMs: 1000, absoluteMs: 5000 };
    const { id } = await new SessionStore(index.sessions(), limits, () => now).create('AK', 's');
    const { session: stale } = await new SessionStore(index.sessions(), limits, () => now).create('AK', 's');
    await index.close();
    index = SqliteMetadataIndex.open(path.join(dir, 'index.sqlite'));
    now = 500;
    const reopened = new SessionStore(index.sessions(), limits, () => now);
    expect(await reopened.touch(id)).toBeDefined();
    now = 1400;
    await reopened.create('AK', 's');
    expect(await index.sessions().getSession(stale.idHash), 'idle since 0').toBeUndefined();
    expect(await reopened.touch(id), 'seen at 500').toBeDefined();
  });

  it('gives every sign-in a new random id and token', async () => {
    const store = new SessionStore(index.sessions());
    const a = await store.create('AK', 's');
    const b = await store.create('AK', 's');
    expect(a.id).not.toBe(b.id);
    expect(a.session.csrfToken).not.toBe(b.session.csrfToken);
  });
});

describe('sign-in limits', () => {
  it('locks a key after its failures, an address after its own, until the window ends', () => {
    let now = 0;
    const limiter = new LoginLimiter({ perIp: 3, perKey: 2, windowMs: 10_000 }, () => now);
    expect(limiter.retryAfter('ip1', 'k')).toBe(0);
    limiter.failed('ip1', 'k');
    limiter.failed('ip2', 'k');
    expect(limiter.retryAfter('ip3', 'k')).toBe(10);
    expect(limiter.retryAfter('ip3', 'other')).toBe(0);
    limiter.failed('ip1', 'a');
    expect(limiter.retryAfter('ip1', 'fresh')).toBe(0);
    limiter.failed('ip1', 'b');
    expect(limiter.retryAfter('ip1', 'fresh')).toBe(10);
    now = 10_000;
    expect(limiter.retryAfter('ip1', 'k')).toBe(0);
  });

  it('clears a key’s failures on success, not the address’s', () => {
    const limiter = new LoginLimiter({ perIp: 2, perKey: 2, windowMs: 10_000 }, () => 0);
    limiter.failed('ip', 'k');
    limiter.failed('ip', 'k');
    limiter.succeeded('k');
    expect(limiter.retryAfter('other-ip', 'k')).toBe(0);
    expect(limiter.retryAfter('ip', 'x')).toBeGreaterThan(0);
  });
});
