// The shared fixture of the hostile-input suites: one real server per test file, its buckets seeded with known
// objects (and whatever else a suite needs), and the store put back before each test when an earlier one changed it.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startTestServer, type TestServer } from './server.js';
import {
  createBucket, listBuckets, objectPath, putObject, signedSend, snapshot, storeDifferences, type KnownObject, type StoreSnapshot,
} from './hostile-http.js';

export interface SeededServer {
  readonly t: TestServer;
  readonly port: number;
  /** The store as seeded: every listing and the bucket list. */
  readonly before: StoreSnapshot;
  /** Removes what appeared since seeding, puts the known objects back, and takes a fresh snapshot. */
  restore(): Promise<void>;
}

export interface SeedOptions {
  /** Buckets to create and watch besides those of the known objects. */
  buckets?: string[];
  /** Further seeding (uploads left open, tags, listings) before the snapshot. */
  seed?(port: number): Promise<void>;
  /** Runs after the generic restore, for state a listing does not show (tags, open uploads). */
  afterRestore?(port: number): Promise<void>;
  timeoutMs?: number;
}

export function useSeededServer(known: KnownObject[], options: SeedOptions = {}): SeededServer {
  let t: TestServer | undefined;
  let before: StoreSnapshot | undefined;
  const buckets = [...new Set([...known.map((o) => o.bucket), ...(options.buckets ?? [])])];
  const fixture: SeededServer = {
    get t() {
      return t!;
    },
    get port() {
      return t!.server.port;
    },
    get before() {
      return before!;
    },
    async restore() {
      const port = fixture.port;
      if ((await storeDifferences(port, before!, known)).length > 0) {
        const now = await snapshot(port, buckets);
        for (const [bucket, entries] of now.listings) {
          const seeded = new Set(before!.listings.get(bucket)!.map((e) => e.key));
          for (const e of entries) if (!seeded.has(e.key)) await signedSend(port, { method: 'DELETE', path: objectPath(bucket, e.key) });
        }
        for (const b of await listBuckets(port)) if (!before!.buckets.includes(b)) await signedSend(port, { method: 'DELETE', path: `/${b}` });
        for (const o of known) await putObject(port, o.bucket, o.key, o.data);
        before = await snapshot(port, buckets);
      }
      await options.afterRestore?.(port);
    },
  };
  beforeAll(async () => {
    t = await startTestServer();
    for (const b of buckets) await createBucket(fixture.port, b);
    for (const o of known) await putObject(fixture.port, o.bucket, o.key, o.data);
    await options.seed?.(fixture.port);
    before = await snapshot(fixture.port, buckets);
  }, options.timeoutMs ?? 60_000);
  afterAll(() => t?.cleanup());
  beforeEach(() => fixture.restore());
  return fixture;
}
