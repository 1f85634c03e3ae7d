import { describe, expect, it } from 'vitest';
import { SessionStore } from './session-store.js';
import { LoginLimiter } from './login-limiter.js';

const alice = { accessKeyId: 'AK', userId: 'alice', isRoot: false };

describe('console sessions', () => {
  it('end after the idle limit, and at the absolute limit however active they are', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, absoluteMs: 5000 }, () => now);
    const { id } = store.create(alice, 'secret');
    now = 900;
    expect(store.touch(id)).toBeDefined();
    now = 1800;
    expect(store.touch(id), 'touched 900 ms ago').toBeDefined();
    now = 2801;
    expect(store.touch(id), 'idle for 1001 ms').toBeUndefined();
    const { id: busy } = store.create(alice, 'secret');
    for (now = 3000; now < 7900; now += 500) expect(store.touch(busy)).toBeDefined();
    now = 8000;
    expect(store.touch(busy), 'past the absolute limit').toBeUndefined();
  });

  it('finds a session by its exact id only, and forgets it when ended', () => {
    const store = new SessionStore();
    const { id, session } = store.create(alice, 'secret');
    expect(id).toMatch(/^[\w-]{43}$/);
    expect(session.csrfToken).not.toBe(id);
    expect(store.touch(id)).toBe(session);
    expect(store.touch(id + 'x')).toBeUndefined();
    store.end(id);
    expect(store.touch(id)).toBeUndefined();
  });

  it('gives every sign-in a new random id and token', () => {
    const store = new SessionStore();
    const a = store.create(alice, 's');
    const b = store.create(alice, 's');
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
