// Bucket records kept in memory by one gateway: every request looks its bucket up. An entry is dropped
// when this gateway changes the bucket, when another gateway's change is heard (ChangeFeed), and in any
// case after `maxAgeMs`, which bounds how stale a record can be when notifications are not heard.
import type { BucketRecord } from '../metadata-index.js';
import type { ChangeFeed } from './change-feed.js';

const MAX_ENTRIES = 1024;

interface Entry {
  record: Readonly<BucketRecord> | null;
  at: number;
}

export class BucketCache {
  readonly #entries = new Map<string, Entry>();
  /** Bumped by every invalidation, so a load that raced one does not store what it read. */
  #generation = 0;

  constructor(private readonly maxAgeMs: number, feed: ChangeFeed | undefined) {
    feed?.on('change', (change) => {
      if (change.kind !== 'bucket') return;
      if (change.name === '') this.clear();
      else this.forget(change.name);
    });
    feed?.on('lost', () => this.clear());
  }

  async get(name: string, load: () => Promise<BucketRecord | undefined>): Promise<BucketRecord | undefined> {
    const now = Date.now();
    const cached = this.#entries.get(name);
    if (cached && now - cached.at < this.maxAgeMs) return cached.record ?? undefined;
    const generation = this.#generation;
    const loaded = await load();
    // Frozen, since callers share the record.
    const record = loaded ? Object.freeze(loaded) : null;
    if (generation === this.#generation) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      this.#entries.set(name, { record, at: now });
    }
    return record ?? undefined;
  }

  forget(name: string): void {
    this.#generation += 1;
    this.#entries.delete(name);
  }

  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
  }
}
