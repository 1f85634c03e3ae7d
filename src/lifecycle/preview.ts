// A dry run of a bucket's lifecycle rules: what they would delete from now to the end of the current day, read
// in the same bounded batches the worker uses and changing nothing.
import type { BucketRecord, LifecycleRule, MetadataIndex } from '../storage/metadata-index.js';
import { nextDayBoundary, uploadAbortRules } from './evaluate.js';
import { planBatch, walksObjects, type PlannedExpiration } from './plan.js';

export interface PreviewedObject {
  key: string;
  /** The version concerned; for a current version of a versioned bucket, the one a delete marker will hide. */
  versionId: string;
  action: 'expire' | 'expire-noncurrent' | 'remove-delete-marker';
  /** Bytes freed (0 when a delete marker only hides the version). */
  size: number;
  rule: string;
  /** When it is due: already past for what the next pass removes. */
  due: Date;
}

function previewed(p: PlannedExpiration): PreviewedObject {
  const e = p.expiration;
  const [key, versionId, action]: [string, string, PreviewedObject['action']] =
    e.kind === 'current' ? [e.object.key, e.object.versionId, 'expire']
    : e.kind === 'noncurrent' ? [e.key, e.versionId, 'expire-noncurrent']
    : [e.key, e.versionId, 'remove-delete-marker'];
  return { key, versionId, action, size: p.size, rule: p.rule, due: p.due };
}

export interface PreviewedUpload {
  key: string;
  uploadId: string;
  initiated: Date;
  rule: string;
  due: Date;
}

export interface LifecyclePreview {
  /** Everything due up to this moment (the end of the current lifecycle day) is listed. */
  until: Date;
  objects: PreviewedObject[];
  uploads: PreviewedUpload[];
  /** Every object (version, marker) and upload due, whether listed or not; bytes freed. */
  totals: { objects: number; bytes: number; uploads: number };
  /** More were due than `limit` allows to list. */
  truncated: boolean;
}

export interface PreviewOptions {
  dayMs: number;
  now: Date;
  /** Only this rule (by ID). */
  ruleId?: string;
  /** Most objects and uploads listed (each); the totals count all. */
  limit: number;
  batchSize?: number;
}

export async function previewLifecycle(index: MetadataIndex, bucket: BucketRecord, options: PreviewOptions): Promise<LifecyclePreview> {
  const { dayMs, limit } = options;
  const batchSize = options.batchSize ?? 500;
  const rules: LifecycleRule[] = (bucket.lifecycle?.rules ?? []).filter((r) => options.ruleId === undefined || r.id === options.ruleId);
  const until = new Date(nextDayBoundary(options.now.getTime() + 1, dayMs));
  const preview: LifecyclePreview = { until, objects: [], uploads: [], totals: { objects: 0, bytes: 0, uploads: 0 }, truncated: false };

  // The worker's own plan, for the end of today instead of now, never committed.
  const scoped: BucketRecord = { ...bucket, lifecycle: { rules } };
  if (walksObjects(scoped)) {
    let after: string | undefined = '';
    while (after !== undefined) {
      const batch = await planBatch(index, scoped, after, { now: until, dayMs, batchSize });
      for (const planned of batch.due) {
        preview.totals.objects += 1;
        preview.totals.bytes += planned.size;
        if (preview.objects.length < limit) preview.objects.push(previewed(planned));
        else preview.truncated = true;
      }
      after = batch.afterKey;
    }
  }

  for (const rule of uploadAbortRules(rules)) {
    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      const page = await index.listUploads({ bucket: bucket.name, prefix: rule.filter.prefix ?? '', delimiter: '', keyMarker, uploadIdMarker, maxUploads: batchSize });
      for (const u of page.uploads) {
        const due = new Date(nextDayBoundary(u.initiated.getTime() + rule.abortIncompleteMultipartUploadDays * dayMs, dayMs));
        // An upload two rules select is listed once, under the first.
        if (due > until || preview.uploads.some((p) => p.uploadId === u.uploadId)) continue;
        preview.totals.uploads += 1;
        if (preview.uploads.length < limit) preview.uploads.push({ key: u.key, uploadId: u.uploadId, initiated: u.initiated, rule: rule.id, due });
        else preview.truncated = true;
      }
      if (!page.isTruncated || page.nextKeyMarker === undefined) break;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker ?? '';
    }
  }
  return preview;
}
