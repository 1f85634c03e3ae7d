// The lifecycle worker: applies each bucket's lifecycle rules in the background, in bounded batches with a pause
// between them. Current objects are walked in key order; each batch's expirations and the cursor after it commit
// in one index write, so a pass that a crash or a shutdown interrupts resumes after the last committed batch,
// neither skipping nor repeating keys. Incomplete uploads are aborted by the index's upload expiry, scoped to
// each rule's prefix. The worker is one unit that is started and stopped, so whoever runs background work (one
// server, or an elected leader) owns it.
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/types.js';
import { S3Error } from '../errors/s3-error.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { BucketRecord, LifecycleCursor, LifecycleExpiration, MetadataIndex } from '../storage/metadata-index.js';
import { uploadAbortRules, uploadCutoff } from './evaluate.js';
import { planBatch, walksObjects } from './plan.js';

export interface LifecycleWorkerOptions {
  index: MetadataIndex;
  blobs: BlobStore;
  log: Logger;
  audit: Pick<AuditLog, 'record'>;
  /** Length of a lifecycle day in milliseconds. */
  dayMs: number;
  /** Objects (or uploads) looked at per batch. */
  batchSize?: number;
  /** Pause between batches, so lifecycle work never crowds out requests. */
  pauseMs?: number;
  /** Time between passes; by default a tenth of a day, at most an hour. */
  intervalMs?: number;
  now?: () => Date;
  /** Whether this gateway runs background work now (one leader across gateways sharing a database). */
  isLeader?: () => boolean;
}

/** What the worker has done since the server started, for metrics. */
export interface LifecycleStats {
  /** Current versions expired: removed, or hidden behind a delete marker in a versioned bucket. */
  expiredObjects: number;
  expiredNoncurrentVersions: number;
  removedDeleteMarkers: number;
  abortedUploads: number;
  passes: number;
  lastPassFinishedAt?: Date;
}

export interface PassReport {
  /** Expirations of every kind (current versions, noncurrent versions, delete markers). */
  expiredObjects: number;
  abortedUploads: number;
}

export interface LifecycleWorker {
  /** One pass over every bucket with lifecycle rules now (joins a pass already running). */
  runOnce(): Promise<PassReport>;
  running(): boolean;
  stats(): Readonly<LifecycleStats>;
  /** Stops the timer and the pass under way after its current batch, and waits for it. */
  stop(): Promise<void>;
}

const DEFAULT_BATCH = 250;
const DEFAULT_PAUSE_MS = 20;
const MAX_INTERVAL_MS = 3_600_000;

export function startLifecycleWorker(options: LifecycleWorkerOptions): LifecycleWorker {
  const { index, blobs, log, audit, dayMs } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const pauseMs = options.pauseMs ?? DEFAULT_PAUSE_MS;
  const now = options.now ?? (() => new Date());
  const controller = new AbortController();
  const stats: LifecycleStats = { expiredObjects: 0, expiredNoncurrentVersions: 0, removedDeleteMarkers: 0, abortedUploads: 0, passes: 0 };
  let current: Promise<PassReport> | undefined;

  const pause = (): Promise<void> =>
    new Promise((resolve) => {
      if (controller.signal.aborted) return resolve();
      const timer = setTimeout(resolve, pauseMs);
      controller.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });

  const release = async (orphans: string[]): Promise<void> => {
    // After the commit; a crash before this leaves unreferenced blobs, which recovery deletes at the next start.
    for (const id of orphans) await blobs.delete(id).catch((err: unknown) => log.warn({ err, blob: id }, 'lifecycle: could not delete a released blob'));
  };

  async function abortUploads(bucket: BucketRecord, report: PassReport): Promise<void> {
    for (const rule of uploadAbortRules(bucket.lifecycle?.rules)) {
      const before = uploadCutoff(rule.abortIncompleteMultipartUploadDays, now(), dayMs);
      const scope = { bucket: bucket.name, prefix: rule.filter.prefix ?? '', limit: batchSize };
      for (;;) {
        if (controller.signal.aborted) return;
        const { aborted, orphans } = await index.expireUploads(before, scope);
        await release(orphans);
        for (const u of aborted) {
          audit.record({ action: 'lifecycle:AbortMultipartUpload', principal: 'system', result: 'success', bucket: u.bucket, key: u.key, details: { rule: rule.id, uploadId: u.uploadId } });
        }
        report.abortedUploads += aborted.length;
        stats.abortedUploads += aborted.length;
        if (aborted.length > 0) log.info({ bucket: bucket.name, rule: rule.id, uploads: aborted.length }, 'lifecycle: aborted incomplete multipart uploads');
        if (aborted.length < batchSize) break;
        await pause();
      }
    }
  }

  async function expireObjects(bucket: BucketRecord, report: PassReport): Promise<void> {
    const cursor = await index.getLifecycleCursor(bucket.name);
    if (!walksObjects(bucket)) {
      if (cursor !== undefined) await index.expireObjects(bucket.name, [], null);
      return;
    }
    let position: LifecycleCursor = cursor ?? { afterKey: '', passStartedAt: now() };
    for (;;) {
      if (controller.signal.aborted) return;
      const batch = await planBatch(index, bucket, position.afterKey, { now: now(), dayMs, batchSize });
      const next = batch.afterKey === undefined ? null : { afterKey: batch.afterKey, passStartedAt: position.passStartedAt };
      const { expired, orphans } = await index.expireObjects(bucket.name, batch.due.map((d) => d.expiration), next);
      await release(orphans);
      for (const e of expired) {
        const rule = batch.due.find((d) => d.expiration === e)?.rule ?? null;
        recordExpiration(bucket.name, e, rule);
      }
      report.expiredObjects += expired.length;
      if (expired.length > 0) log.info({ bucket: bucket.name, expired: expired.length }, 'lifecycle: expired objects');
      if (next === null) return;
      position = next;
      await pause();
    }
  }

  function recordExpiration(bucket: string, e: LifecycleExpiration, rule: string | null): void {
    const [action, key, details]: [string, string, Record<string, string | null>] =
      e.kind === 'current'
        ? ['lifecycle:ExpireObject', e.object.key, { versionId: e.object.versionId, ...(e.deleteMarker ? { deleteMarker: e.deleteMarker.versionId } : {}) }]
        : e.kind === 'noncurrent'
          ? ['lifecycle:ExpireNoncurrentVersion', e.key, { versionId: e.versionId }]
          : ['lifecycle:RemoveDeleteMarker', e.key, { versionId: e.versionId }];
    stats[e.kind === 'current' ? 'expiredObjects' : e.kind === 'noncurrent' ? 'expiredNoncurrentVersions' : 'removedDeleteMarkers'] += 1;
    audit.record({ action, principal: 'system', result: 'success', bucket, key, details: { rule, ...details } });
  }

  async function pass(): Promise<PassReport> {
    const report: PassReport = { expiredObjects: 0, abortedUploads: 0 };
    for (const bucket of await index.listBuckets()) {
      if (controller.signal.aborted) break;
      try {
        await abortUploads(bucket, report);
        await expireObjects(bucket, report);
      } catch (err) {
        // A bucket deleted mid-pass is no failure; anything else is logged and the next bucket goes on.
        if (!(err instanceof S3Error && err.code === 'NoSuchBucket')) log.error({ err, bucket: bucket.name }, 'lifecycle: pass over a bucket failed');
      }
    }
    if (!controller.signal.aborted) {
      stats.passes += 1;
      stats.lastPassFinishedAt = now();
    }
    return report;
  }

  const runOnce = (): Promise<PassReport> => {
    current ??= pass().finally(() => (current = undefined));
    return current;
  };
  const intervalMs = options.intervalMs ?? Math.min(MAX_INTERVAL_MS, Math.max(100, Math.floor(dayMs / 10)));
  const isLeader = options.isLeader ?? (() => true);
  const timer = setInterval(() => void (isLeader() ? runOnce() : Promise.resolve()).catch((err: unknown) => log.error({ err }, 'lifecycle pass failed')), intervalMs);
  timer.unref();
  return {
    runOnce,
    running: () => current !== undefined,
    stats: () => stats,
    async stop() {
      clearInterval(timer);
      controller.abort();
      await current?.catch(() => undefined);
    },
  };
}
