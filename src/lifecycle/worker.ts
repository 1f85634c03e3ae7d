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
import type { BucketRecord, LifecycleCursor, MetadataIndex, ObjectVersionRef } from '../storage/metadata-index.js';
import { currentObjectExpiry, expiresCurrentObjects, uploadAbortRules, uploadCutoff } from './evaluate.js';

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
}

/** What the worker has done since the server started, for metrics. */
export interface LifecycleStats {
  expiredObjects: number;
  abortedUploads: number;
  passes: number;
  lastPassFinishedAt?: Date;
}

export interface PassReport {
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
  const stats: LifecycleStats = { expiredObjects: 0, abortedUploads: 0, passes: 0 };
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

  async function expireCurrentObjects(bucket: BucketRecord, report: PassReport): Promise<void> {
    const rules = bucket.lifecycle?.rules;
    const cursor = await index.getLifecycleCursor(bucket.name);
    // Expiring a current version of a versioned bucket means adding a delete marker; until the index keeps
    // versions, only unversioned buckets have their current objects expired.
    if (!expiresCurrentObjects(rules) || bucket.versioning !== 'Unversioned') {
      if (cursor !== undefined) await index.expireObjects(bucket.name, [], null);
      return;
    }
    let position: LifecycleCursor = cursor ?? { afterKey: '', passStartedAt: now() };
    for (;;) {
      if (controller.signal.aborted) return;
      const rows = await index.scanObjects({ bucket: bucket.name, key: position.afterKey }, batchSize);
      const page = rows.filter((r) => r.bucket === bucket.name);
      const finished = page.length < batchSize;
      const at = now();
      const due: (ObjectVersionRef & { ruleId: string })[] = [];
      for (const record of page) {
        const expiry = currentObjectExpiry(rules, record, dayMs);
        if (expiry !== undefined && expiry.at <= at) {
          due.push({ key: record.key, versionId: record.versionId, etag: record.etag, lastModified: record.lastModified, ruleId: expiry.ruleId });
        }
      }
      const next = finished ? null : { afterKey: page.at(-1)!.key, passStartedAt: position.passStartedAt };
      const { expired, orphans } = await index.expireObjects(bucket.name, due, next);
      await release(orphans);
      const ruleOf = new Map(due.map((d) => [d.key, d.ruleId]));
      for (const o of expired) {
        audit.record({ action: 'lifecycle:ExpireObject', principal: 'system', result: 'success', bucket: bucket.name, key: o.key, details: { rule: ruleOf.get(o.key) ?? null, versionId: o.versionId } });
      }
      report.expiredObjects += expired.length;
      stats.expiredObjects += expired.length;
      if (expired.length > 0) log.info({ bucket: bucket.name, objects: expired.length }, 'lifecycle: expired objects');
      if (next === null) return;
      position = next;
      await pause();
    }
  }

  async function pass(): Promise<PassReport> {
    const report: PassReport = { expiredObjects: 0, abortedUploads: 0 };
    for (const bucket of await index.listBuckets()) {
      if (controller.signal.aborted) break;
      try {
        await abortUploads(bucket, report);
        await expireCurrentObjects(bucket, report);
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
  const timer = setInterval(() => void runOnce().catch((err: unknown) => log.error({ err }, 'lifecycle pass failed')), intervalMs);
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
