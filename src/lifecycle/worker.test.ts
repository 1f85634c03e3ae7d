// The lifecycle worker over the real SQLite index and disk blob store: what a pass deletes and keeps, and a
// pass interrupted mid-way resuming after a restart without skipping or repeating keys.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/types.js';
import { bucketRecord, objectRecord, uploadRecord } from '../../test/contract/records.js';
import { DiskBlobStore } from '../storage/disk/disk-blob-store.js';
import type { LifecycleRule, ObjectRecord } from '../storage/metadata-index.js';
import { SqliteMetadataIndex } from '../storage/sqlite/sqlite-metadata-index.js';
import { previewLifecycle } from './preview.js';
import { startLifecycleWorker, type LifecycleWorker, type LifecycleWorkerOptions } from './worker.js';

const DAY = 1000;
const NOW = new Date(100 * DAY);
const log = pino({ level: 'silent' });
const everything: LifecycleRule = { id: 'all', enabled: true, form: 'filter', filter: {}, expirationDays: 1 };

let dir: string;
let file: string;
let index: SqliteMetadataIndex;
let blobs: DiskBlobStore;
const workers: LifecycleWorker[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sklad-lifecycle-'));
  file = path.join(dir, 'index.sqlite');
  index = SqliteMetadataIndex.open(file);
  blobs = await DiskBlobStore.open(dir);
  await index.createBucket(bucketRecord('b', { lifecycle: { rules: [everything] } }));
});

afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop();
  await index.close();
  await rm(dir, { recursive: true, force: true });
});

function worker(options: Partial<LifecycleWorkerOptions> & { events?: AuditEvent[] } = {}): LifecycleWorker {
  const events = options.events ?? [];
  const w = startLifecycleWorker({
    index, blobs, log, dayMs: DAY, pauseMs: 0, intervalMs: 3_600_000, now: () => NOW,
    audit: { record: (e) => events.push(e) },
    ...options,
  });
  workers.push(w);
  return w;
}

const keys = async (): Promise<string[]> => (await index.scanObjects(undefined, 1000)).map((o) => o.key);
const at = (day: number): Date => new Date(day * DAY + 1);

describe('lifecycle worker', () => {
  it('expires what is due, keeps what is not, and deletes the released bytes', async () => {
    const stored = await blobs.write(Readable.from([Buffer.alloc(100_000, 1)]));
    await index.patchBucket('b', {
      lifecycle: {
        rules: [
          { id: 'old', enabled: true, form: 'filter', filter: { prefix: 'old/' }, expirationDays: 10 },
          { id: 'off', enabled: false, form: 'filter', filter: { prefix: 'off/' }, expirationDays: 1 },
        ],
      },
    });
    // Created on day 89.x: expires at the boundary of day 100 (rounded up), i.e. due at NOW exactly.
    await index.putObject(objectRecord('b', 'old/due', { lastModified: at(89), blobs: [{ id: stored.id, size: 100_000 }], size: 100_000 }));
    await index.putObject(objectRecord('b', 'old/young', { lastModified: at(90) }));
    await index.putObject(objectRecord('b', 'off/a', { lastModified: at(1) }));
    await index.putObject(objectRecord('b', 'other', { lastModified: at(1) }));
    const events: AuditEvent[] = [];
    const w = worker({ events });
    expect(await w.runOnce()).toEqual({ expiredObjects: 1, abortedUploads: 0 });
    expect(await keys()).toEqual(['off/a', 'old/young', 'other']);
    expect(await index.isBlobReferenced(stored.id)).toBe(false);
    const onDisk: string[] = [];
    for await (const id of blobs.ids()) onDisk.push(id);
    expect(onDisk).toEqual([]);
    expect(events).toEqual([{ action: 'lifecycle:ExpireObject', principal: 'system', result: 'success', bucket: 'b', key: 'old/due', details: { rule: 'old', versionId: 'null' } }]);
    expect(w.stats()).toMatchObject({ expiredObjects: 1, passes: 1, lastPassFinishedAt: NOW });
  });

  it('resumes an interrupted pass after a restart without skipping or repeating keys', async () => {
    for (let i = 0; i < 10; i++) await index.putObject(objectRecord('b', `k${i}`, { lastModified: at(1) }));
    // The first batch's audit records arrive after its commit: stopping then interrupts the pass after one batch.
    let first: LifecycleWorker | undefined;
    const events: AuditEvent[] = [];
    first = worker({ batchSize: 3, events, audit: { record: (e) => { events.push(e); void first?.stop(); } } });
    await first.runOnce();
    expect(await keys()).toEqual(['k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9']);
    expect(await index.getLifecycleCursor('b')).toEqual({ afterKey: 'k2', passStartedAt: NOW });

    // A key the pass has already gone past, due as well: the resumed pass must not come back for it.
    await index.putObject(objectRecord('b', 'k1', { lastModified: at(1) }));
    await first.stop();
    await index.close();
    index = SqliteMetadataIndex.open(file);

    const resumed = worker({ batchSize: 3 });
    expect(await resumed.runOnce()).toEqual({ expiredObjects: 7, abortedUploads: 0 });
    expect(await keys()).toEqual(['k1']);
    expect(await index.getLifecycleCursor('b')).toBeUndefined();
    // The next pass starts from the beginning again.
    expect(await resumed.runOnce()).toEqual({ expiredObjects: 1, abortedUploads: 0 });
    expect(await keys()).toEqual([]);
  });

  it('aborts a rule\'s old uploads in batches and leaves others', async () => {
    await index.patchBucket('b', { lifecycle: { rules: [{ id: 'mpu', enabled: true, form: 'filter', filter: { prefix: 'mpu/' }, abortIncompleteMultipartUploadDays: 2 }] } });
    const old = [0, 1, 2, 3, 4].map((i) => uploadRecord('b', `mpu/${i}`, { initiated: at(50 + i) }));
    const kept = [uploadRecord('b', 'mpu/young', { initiated: at(98) }), uploadRecord('b', 'other', { initiated: at(1) })];
    for (const u of [...old, ...kept]) await index.createUpload(u);
    const events: AuditEvent[] = [];
    expect(await worker({ batchSize: 2, events }).runOnce()).toEqual({ expiredObjects: 0, abortedUploads: 5 });
    for (const u of old) expect(await index.getUpload('b', u.key, u.uploadId)).toBeUndefined();
    for (const u of kept) expect(await index.getUpload('b', u.key, u.uploadId)).toEqual(u);
    expect(events.map((e) => [e.action, e.key])).toEqual(old.map((u) => ['lifecycle:AbortMultipartUpload', u.key]));
  });

  it('in a versioned bucket: delete markers for current versions, noncurrent versions beyond the newest kept, lone markers, never a locked version', async () => {
    await index.createBucket(bucketRecord('v', {
      versioning: 'Enabled', objectLockEnabled: true,
      lifecycle: {
        rules: [
          { id: 'noncurrent', enabled: true, form: 'filter', filter: { prefix: 'n/' }, noncurrentDays: 2, newerNoncurrentVersions: 1 },
          { id: 'current', enabled: true, form: 'filter', filter: { prefix: 'c/' }, expirationDays: 10 },
          { id: 'markers', enabled: true, form: 'filter', filter: { prefix: 'm/' }, expiredObjectDeleteMarker: true },
        ],
      },
    }));
    const v = (key: string, versionId: string, day: number, extra: Partial<ObjectRecord> = {}) =>
      objectRecord('v', key, { versionId, etag: `etag-${versionId}`, lastModified: at(day), ...extra });
    // n/k: v1 and v2 were replaced long enough ago and have a newer noncurrent version; v3 was replaced too lately.
    for (const r of [v('n/k', 'v1', 10), v('n/k', 'v2', 50), v('n/k', 'v3', 97), v('n/k', 'v4', 99), v('c/k', 'c1', 80), v('c/young', 'c2', 95)]) {
      await index.putObject(r);
    }
    await index.putLegalHold('v', 'n/k', 'v1', true);
    await index.putObject(v('m/lone', 'd1', 5, { deleteMarker: true, blobs: [], size: 0, etag: '' }));
    await index.putObject(v('m/kept', 'x1', 5));
    await index.putObject(v('m/kept', 'd2', 6, { deleteMarker: true, blobs: [], size: 0, etag: '' }));
    // The dry run (to the end of the day) shows what the pass then does, and the held version is not in it.
    const preview = await previewLifecycle(index, (await index.getBucket('v'))!, { dayMs: DAY, now: NOW, limit: 10, batchSize: 2 });
    expect(preview.objects.map((o) => [o.key, o.action, o.rule])).toEqual([
      ['c/k', 'expire', 'current'], ['m/lone', 'remove-delete-marker', 'markers'], ['n/k', 'expire-noncurrent', 'noncurrent'],
    ]);
    expect(preview.totals).toEqual({ objects: 3, bytes: 11, uploads: 0 });
    const events: AuditEvent[] = [];
    const w = worker({ events, batchSize: 2 });
    await w.runOnce();
    const versions = (await index.listVersions({ bucket: 'v', prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 100 })).versions
      .map((x) => `${x.key}@${x.deleteMarker ? 'marker' : x.versionId}${x.isLatest ? '*' : ''}`);
    expect(versions).toEqual(['c/k@marker*', 'c/k@c1', 'c/young@c2*', 'm/kept@marker*', 'm/kept@x1', 'n/k@v4*', 'n/k@v3', 'n/k@v1']);
    expect(events.map((e) => [e.action, e.key, e.details?.rule])).toEqual([
      ['lifecycle:ExpireObject', 'c/k', 'current'],
      ['lifecycle:RemoveDeleteMarker', 'm/lone', 'markers'],
      ['lifecycle:ExpireNoncurrentVersion', 'n/k', 'noncurrent'],
    ]);
    expect(events[2]?.details?.versionId).toBe('v2');
    expect(w.stats()).toMatchObject({ expiredObjects: 1, expiredNoncurrentVersions: 1, removedDeleteMarkers: 1 });
  });
});
