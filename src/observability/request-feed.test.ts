import { describe, expect, it } from 'vitest';
import { RequestFeed } from './request-feed.js';
import type { RequestSummary } from '../audit/request-summary.js';

const summary = (key: string): RequestSummary => ({
  requestId: key, method: 'GET', key, status: 200, bytesIn: 0, bytesOut: 0, ms: 1, principal: 'anonymous', complete: true,
});

describe('request feed', () => {
  it('keeps the newest entries and hands out those after a reader’s last one', () => {
    const feed = new RequestFeed(3);
    for (const k of ['a', 'b', 'c', 'd']) feed.push(summary(k));
    const all = feed.after(0);
    expect(all.map((e) => e.key)).toEqual(['b', 'c', 'd']);
    expect(feed.after(all[1]!.seq).map((e) => e.key)).toEqual(['d']);
    expect(feed.after(all[2]!.seq)).toEqual([]);
  });

  it('is watched only for a while after someone read it', () => {
    let now = 0;
    const feed = new RequestFeed(10, () => now);
    expect(feed.watched()).toBe(false);
    feed.after(0);
    now = 59_000;
    expect(feed.watched()).toBe(true);
    now = 61_000;
    expect(feed.watched()).toBe(false);
  });
});
