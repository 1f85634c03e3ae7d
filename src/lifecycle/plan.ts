// What one lifecycle batch would do to a bucket's objects from a key onwards: read in bounded pages, decided by
// the rules, changing nothing. The worker commits a plan (with its cursor); the dry run only shows it.
import type { BucketRecord, LifecycleExpiration, MetadataIndex, ObjectRecord, VersionSummary } from '../storage/metadata-index.js';
import { newDeleteMarker } from '../storage/new-version-id.js';
import { isVersionLocked } from '../storage/object-lock.js';
import { actsOnVersions, currentObjectExpiry, deleteMarkerRule, expiresCurrentObjects, needsTags, noncurrentExpiry } from './evaluate.js';

export interface PlannedExpiration {
  expiration: LifecycleExpiration;
  /** The rule that asks for it. */
  rule: string;
  /** Bytes it frees (0 for a current version hidden behind a delete marker, and for markers). */
  size: number;
  /** When it became due. */
  due: Date;
}

export interface Batch {
  due: PlannedExpiration[];
  /** The last key the batch covered; undefined when the batch ends the pass. */
  afterKey?: string;
}

export interface PlanOptions {
  /** What is due by this moment is planned. */
  now: Date;
  dayMs: number;
  batchSize: number;
}

/** Whether the bucket's rules act on its objects at all (uploads aside). */
export function walksObjects(bucket: BucketRecord): boolean {
  const rules = bucket.lifecycle?.rules;
  return expiresCurrentObjects(rules) || (bucket.versioning !== 'Unversioned' && actsOnVersions(rules));
}

/**
 * The delete marker that expires a versioned bucket's current version: a new version id while versioning is
 * Enabled, the null version while it is Suspended (as a DELETE without a version id makes). Owned by the
 * bucket owner, as S3's lifecycle markers are.
 */
function deleteMarkerFor(bucket: BucketRecord, key: string, at: Date): ObjectRecord {
  return newDeleteMarker(bucket, key, bucket.owner, at);
}

/** Unversioned bucket: current objects in key order, each expired when a rule's time has come. */
async function currentObjectBatch(index: MetadataIndex, bucket: BucketRecord, afterKey: string, o: PlanOptions): Promise<Batch> {
  const rules = bucket.lifecycle?.rules;
  const page = (await index.scanObjects({ bucket: bucket.name, key: afterKey }, o.batchSize)).filter((r) => r.bucket === bucket.name);
  const due: PlannedExpiration[] = [];
  for (const record of page) {
    const expiry = currentObjectExpiry(rules, record, o.dayMs);
    // A locked version is never removed (the index refuses too); the plan leaves it out so a dry run is true.
    if (expiry === undefined || expiry.at > o.now || isVersionLocked(record, o.now)) continue;
    const object = { key: record.key, versionId: record.versionId, etag: record.etag, lastModified: record.lastModified };
    due.push({ expiration: { kind: 'current', object }, rule: expiry.ruleId, size: record.size, due: expiry.at });
  }
  return { due, afterKey: page.length < o.batchSize ? undefined : page.at(-1)!.key };
}

/** Every version of the keys after `afterKey` that one batch covers, whole keys only, grouped by key. */
async function versionGroups(index: MetadataIndex, bucket: string, afterKey: string, batchSize: number): Promise<{ groups: VersionSummary[][]; more: boolean }> {
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
 * Versioned bucket: each key's versions, newest first. The current version expires behind a new delete marker;
 * noncurrent versions expire NoncurrentDays after they were replaced, beyond the newest NewerNoncurrentVersions;
 * a delete marker left alone goes under ExpiredObjectDeleteMarker.
 */
async function versionBatch(index: MetadataIndex, bucket: BucketRecord, afterKey: string, o: PlanOptions): Promise<Batch> {
  const rules = bucket.lifecycle?.rules;
  const tagged = needsTags(rules);
  const { groups, more } = await versionGroups(index, bucket.name, afterKey, o.batchSize);
  const due: PlannedExpiration[] = [];
  for (const versions of groups) {
    const key = versions[0]!.key;
    const tagsOf = async (versionId: string) => (tagged ? ((await index.getObject(bucket.name, key, versionId))?.tags ?? []) : []);
    const current = versions[0]!.isLatest ? versions[0]! : undefined;
    if (current !== undefined && !current.deleteMarker) {
      const expiry = currentObjectExpiry(rules, { ...current, tags: await tagsOf(current.versionId) }, o.dayMs);
      if (expiry !== undefined && expiry.at <= o.now) {
        const object = { key, versionId: current.versionId, etag: current.etag, lastModified: current.lastModified };
        due.push({ expiration: { kind: 'current', object, deleteMarker: deleteMarkerFor(bucket, key, o.now) }, rule: expiry.ruleId, size: 0, due: expiry.at });
      }
    }
    const noncurrent = versions.slice(current === undefined ? 0 : 1);
    let left = noncurrent.length;
    for (const [i, v] of noncurrent.entries()) {
      const replacedBy = i === 0 ? current : noncurrent[i - 1];
      if (replacedBy === undefined || isVersionLocked(v, o.now)) continue;
      const subject = { key, size: v.size, tags: v.deleteMarker ? [] : await tagsOf(v.versionId), noncurrentSince: replacedBy.lastModified, newerNoncurrent: i };
      const expiry = noncurrentExpiry(rules, subject, o.now, o.dayMs);
      if (expiry === undefined) continue;
      due.push({ expiration: { kind: 'noncurrent', key, versionId: v.versionId }, rule: expiry.ruleId, size: v.deleteMarker ? 0 : v.size, due: expiry.at });
      left -= 1;
    }
    // Planned after the noncurrent expirations of the same batch, so a marker they leave alone goes at once.
    const markerRule = current?.deleteMarker && left === 0 ? deleteMarkerRule(rules, key) : undefined;
    if (markerRule !== undefined) {
      due.push({ expiration: { kind: 'delete-marker', key, versionId: current!.versionId }, rule: markerRule.id, size: 0, due: current!.lastModified });
    }
  }
  return { due, afterKey: more ? groups.at(-1)![0]!.key : undefined };
}

/** The next batch of a pass over the bucket's objects, after `afterKey` ('' to start). */
export function planBatch(index: MetadataIndex, bucket: BucketRecord, afterKey: string, options: PlanOptions): Promise<Batch> {
  return bucket.versioning === 'Unversioned' ? currentObjectBatch(index, bucket, afterKey, options) : versionBatch(index, bucket, afterKey, options);
}
