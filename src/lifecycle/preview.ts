// A dry run of a bucket's lifecycle rules: what they would delete from now to the end of the current day, read
// in the same bounded batches the worker uses and changing nothing.
import type { BucketRecord, LifecycleRule, MetadataIndex } from '../storage/metadata-index.js';
import { currentObjectExpiry, expiresCurrentObjects, nextDayBoundary, uploadAbortRules } from './evaluate.js';

export interface PreviewedObject {
  key: string;
  size: number;
  rule: string;
  /** When the object is due: already past for objects the next pass removes. */
  due: Date;
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
  /** Every object and upload due, whether listed or not. */
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

  // As the worker: current objects of versioned buckets are not expired yet (they would need delete markers).
  if (expiresCurrentObjects(rules) && bucket.versioning === 'Unversioned') {
    let after = '';
    for (;;) {
      const page = (await index.scanObjects({ bucket: bucket.name, key: after }, batchSize)).filter((o) => o.bucket === bucket.name);
      for (const o of page) {
        const expiry = currentObjectExpiry(rules, o, dayMs);
        if (expiry === undefined || expiry.at > until) continue;
        preview.totals.objects += 1;
        preview.totals.bytes += o.size;
        if (preview.objects.length < limit) preview.objects.push({ key: o.key, size: o.size, rule: expiry.ruleId, due: expiry.at });
        else preview.truncated = true;
      }
      if (page.length < batchSize) break;
      after = page.at(-1)!.key;
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
