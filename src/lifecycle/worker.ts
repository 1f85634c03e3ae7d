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
import { randomBytes } from 'node:crypto';
import type { BucketRecord, LifecycleCursor, LifecycleExpiration, MetadataIndex, ObjectRecord, VersionSummary } from '../storage/metadata-index.js';
import {
  actsOnVersions, currentObjectExpiry, deleteMarkerRule, expiresCurrentObjects, needsTags, noncurrentExpiryRule,
  uploadAbortRules, uploadCutoff,
} from './evaluate.js';

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

/**
 * The delete marker that expires a versioned bucket's current version: a new version id while versioning is
 * Enabled, the null version while it is Suspended (as a DELETE without a version id makes). Owned by the
 * bucket owner, as S3's lifecycle markers are.
 */
function deleteMarkerFor(bucket: BucketRecord, key: string, at: Date): ObjectRecord {
  return {
    bucket: bucket.name, key, versionId: bucket.versioning === 'Enabled' ? randomBytes(24).toString('base64url') : 'null',
    size: 0, etag: '', lastModified: at, owner: bucket.owner, storageClass: 'STANDARD', contentHeaders: {}, userMetadata: {},
    tags: [], acl: 'private', blobs: [], deleteMarker: true,
  };
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

  /** One batch's expirations, each with the rule that asked for it, and where the pass goes on after it. */
  interface Batch {
    due: { expiration: LifecycleExpiration; rule: string }[];
    /** The last key the batch covered; undefined when the batch ends the pass. */
    afterKey?: string;
  }

  /** Unversioned bucket: current objects in key order, each expired when a rule's time has come. */
  async function currentObjectBatch(bucket: BucketRecord, afterKey: string): Promise<Batch> {
    const rules = bucket.lifecycle?.rules;
    const page = (await index.scanObjects({ bucket: bucket.name, key: afterKey }, batchSize)).filter((r) => r.bucket === bucket.name);
    const at = now();
    const due: Batch['due'] = [];
    for (const record of page) {
      const expiry = currentObjectExpiry(rules, record, dayMs);
      if (expiry === undefined || expiry.at > at) continue;
      const object = { key: record.key, versionId: record.versionId, etag: record.etag, lastModified: record.lastModified };
      due.push({ expiration: { kind: 'current', object }, rule: expiry.ruleId });
    }
    return { due, afterKey: page.length < batchSize ? undefined : page.at(-1)!.key };
  }

  /** Every version of the keys after `afterKey` that one batch covers, whole keys only, grouped by key. */
  async function versionGroups(bucket: string, afterKey: string): Promise<{ groups: VersionSummary[][]; more: boolean }> {
    const query = { bucket, prefix: '', delimiter: '', keyMarker: afterKey, versionIdMarker: '', maxKeys: batchSize };
    const page = await index.listVersions(query);
    const groups: VersionSummary[][] = [];
    for (const v of page.versions) {
      if (groups.at(-1)?.[0]?.key === v.key) groups.at(-1)!.push(v);
      else groups.push([v]);
    }
    if (!page.isTruncated) return { groups, more: false };
    // The last key may go on in the next page: leave it to the next batch, unless it is the only one.
    if (groups.length > 1) return { groups: groups.slice(0, -1), more: true };
    const only = groups[0] ?? [];
    let next = page;
    while (next.isTruncated && next.nextKeyMarker === only[0]?.key) {
      next = await index.listVersions({ ...query, keyMarker: next.nextKeyMarker!, versionIdMarker: next.nextVersionIdMarker ?? '' });
      only.push(...next.versions.filter((v) => v.key === only[0]?.key));
    }
    return { groups: [only], more: true };
  }

  /**
   * Versioned bucket: each key's versions, newest first. The current version expires behind a new delete
   * marker; noncurrent versions expire NoncurrentDays after they were replaced, beyond the newest
   * NewerNoncurrentVersions; a delete marker left alone goes under ExpiredObjectDeleteMarker.
   */
  async function versionBatch(bucket: BucketRecord, afterKey: string): Promise<Batch> {
    const rules = bucket.lifecycle?.rules;
    const tagged = needsTags(rules);
    const { groups, more } = await versionGroups(bucket.name, afterKey);
    const at = now();
    const due: Batch['due'] = [];
    for (const versions of groups) {
      const key = versions[0]!.key;
      const tagsOf = async (versionId: string) => (tagged ? ((await index.getObject(bucket.name, key, versionId))?.tags ?? []) : []);
      const current = versions[0]!.isLatest ? versions[0]! : undefined;
      if (current !== undefined && !current.deleteMarker) {
        const expiry = currentObjectExpiry(rules, { ...current, tags: await tagsOf(current.versionId) }, dayMs);
        if (expiry !== undefined && expiry.at <= at) {
          const object = { key, versionId: current.versionId, etag: current.etag, lastModified: current.lastModified };
          due.push({ expiration: { kind: 'current', object, deleteMarker: deleteMarkerFor(bucket, key, at) }, rule: expiry.ruleId });
        }
      }
      const noncurrent = versions.slice(current === undefined ? 0 : 1);
      let left = noncurrent.length;
      for (const [i, v] of noncurrent.entries()) {
        const replacedBy = i === 0 ? current : noncurrent[i - 1];
        if (replacedBy === undefined) continue;
        const subject = { key, size: v.size, tags: v.deleteMarker ? [] : await tagsOf(v.versionId), noncurrentSince: replacedBy.lastModified, newerNoncurrent: i };
        const rule = noncurrentExpiryRule(rules, subject, at, dayMs);
        if (rule === undefined) continue;
        due.push({ expiration: { kind: 'noncurrent', key, versionId: v.versionId }, rule: rule.id });
        left -= 1;
      }
      // Applied after the noncurrent expirations of the same batch, so a marker they leave alone goes at once.
      const markerRule = current?.deleteMarker && left === 0 ? deleteMarkerRule(rules, key) : undefined;
      if (markerRule !== undefined) due.push({ expiration: { kind: 'delete-marker', key, versionId: current!.versionId }, rule: markerRule.id });
    }
    return { due, afterKey: more ? groups.at(-1)![0]!.key : undefined };
  }

  async function expireObjects(bucket: BucketRecord, report: PassReport): Promise<void> {
    const rules = bucket.lifecycle?.rules;
    const versioned = bucket.versioning !== 'Unversioned';
    const cursor = await index.getLifecycleCursor(bucket.name);
    if (!expiresCurrentObjects(rules) && !(versioned && actsOnVersions(rules))) {
      if (cursor !== undefined) await index.expireObjects(bucket.name, [], null);
      return;
    }
    let position: LifecycleCursor = cursor ?? { afterKey: '', passStartedAt: now() };
    for (;;) {
      if (controller.signal.aborted) return;
      const batch = versioned ? await versionBatch(bucket, position.afterKey) : await currentObjectBatch(bucket, position.afterKey);
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
