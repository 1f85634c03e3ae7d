// When lifecycle rules act on an object or an upload. Pure: no I/O, no clock of its own.
//
// S3 counts a rule's days from an object's creation and rounds the moment up to the next midnight UTC. With
// `--lifecycle-day-seconds N` a "day" is N seconds, and midnights are the multiples of N seconds since the epoch,
// so the same arithmetic runs in seconds in tests (as Ceph's rgw_lc_debug_interval does). A rule's Date is a
// calendar date and is never rescaled.
import type { LifecycleFilter, LifecycleRule, Tag } from '../storage/metadata-index.js';

export const STANDARD_DAY_MS = 86_400_000;

/** What a filter looks at. */
export interface LifecycleSubject {
  key: string;
  size: number;
  tags: readonly Tag[];
}

export interface CurrentObjectSubject extends LifecycleSubject {
  lastModified: Date;
}

export interface Expiry {
  at: Date;
  ruleId: string;
}

export function matchesFilter(filter: LifecycleFilter, subject: LifecycleSubject): boolean {
  if (filter.prefix !== undefined && !subject.key.startsWith(filter.prefix)) return false;
  if (filter.objectSizeGreaterThan !== undefined && !(subject.size > filter.objectSizeGreaterThan)) return false;
  if (filter.objectSizeLessThan !== undefined && !(subject.size < filter.objectSizeLessThan)) return false;
  // Every tag of the filter must be on the object with the same value; other tags of the object do not matter.
  return (filter.tags ?? []).every((t) => subject.tags.some((o) => o.key === t.key && o.value === t.value));
}

/** The first day boundary at or after `ms`. */
export function nextDayBoundary(ms: number, dayMs: number): number {
  return Math.ceil(ms / dayMs) * dayMs;
}

/** When the current object expires under this rule, or undefined when the rule does not expire it. */
export function ruleExpiry(rule: LifecycleRule, subject: CurrentObjectSubject, dayMs: number): Date | undefined {
  if (!rule.enabled || !matchesFilter(rule.filter, subject)) return undefined;
  if (rule.expirationDate !== undefined) return rule.expirationDate;
  if (rule.expirationDays !== undefined) return new Date(nextDayBoundary(subject.lastModified.getTime() + rule.expirationDays * dayMs, dayMs));
  return undefined;
}

/** The earliest expiry any rule gives the current object (what x-amz-expiration reports), if any. */
export function currentObjectExpiry(rules: readonly LifecycleRule[] | undefined, subject: CurrentObjectSubject, dayMs: number): Expiry | undefined {
  let first: Expiry | undefined;
  for (const rule of rules ?? []) {
    const at = ruleExpiry(rule, subject, dayMs);
    if (at !== undefined && (first === undefined || at < first.at)) first = { at, ruleId: rule.id };
  }
  return first;
}

/** Rules that abort incomplete multipart uploads (they filter on a prefix only, as S3 requires). */
export function uploadAbortRules(rules: readonly LifecycleRule[] | undefined): (LifecycleRule & { abortIncompleteMultipartUploadDays: number })[] {
  return (rules ?? []).filter((r): r is LifecycleRule & { abortIncompleteMultipartUploadDays: number } =>
    r.enabled && r.abortIncompleteMultipartUploadDays !== undefined);
}

/**
 * Uploads initiated before this moment are due for abortion under a rule of `days` at `now`: the upload's
 * expiry, initiation plus the days rounded up to a day boundary, is not later than `now`.
 */
export function uploadCutoff(days: number, now: Date, dayMs: number): Date {
  return new Date(Math.floor(now.getTime() / dayMs) * dayMs - days * dayMs + 1);
}

/** Whether any enabled rule expires current objects. */
export function expiresCurrentObjects(rules: readonly LifecycleRule[] | undefined): boolean {
  return (rules ?? []).some((r) => r.enabled && (r.expirationDays !== undefined || r.expirationDate !== undefined));
}

/** A noncurrent version as NoncurrentVersionExpiration sees it. */
export interface NoncurrentSubject extends LifecycleSubject {
  /** When it stopped being current: when the version that replaced it was created. */
  noncurrentSince: Date;
  /** How many noncurrent versions of its key are newer than it (0 for the newest). */
  newerNoncurrent: number;
}

/**
 * The first rule under which this noncurrent version is due by `now`, and when, if any: NoncurrentDays after it became noncurrent
 * (rounded up to a day boundary), once more than NewerNoncurrentVersions newer noncurrent versions exist.
 */
export function noncurrentExpiry(rules: readonly LifecycleRule[] | undefined, subject: NoncurrentSubject, now: Date, dayMs: number): Expiry | undefined {
  for (const rule of rules ?? []) {
    if (!rule.enabled || rule.noncurrentDays === undefined || !matchesFilter(rule.filter, subject)) continue;
    if (subject.newerNoncurrent < (rule.newerNoncurrentVersions ?? 0)) continue;
    const at = nextDayBoundary(subject.noncurrentSince.getTime() + rule.noncurrentDays * dayMs, dayMs);
    if (at <= now.getTime()) return { at: new Date(at), ruleId: rule.id };
  }
  return undefined;
}

/** The rule that removes a delete marker left alone (no noncurrent version behind it), if any. */
export function deleteMarkerRule(rules: readonly LifecycleRule[] | undefined, key: string): LifecycleRule | undefined {
  return (rules ?? []).find((rule) => rule.enabled && rule.expiredObjectDeleteMarker === true && matchesFilter(rule.filter, { key, size: 0, tags: [] }));
}

/** Whether any enabled rule acts on noncurrent versions or delete markers (versioned buckets only). */
export function actsOnVersions(rules: readonly LifecycleRule[] | undefined): boolean {
  return (rules ?? []).some((r) => r.enabled && (r.noncurrentDays !== undefined || r.expiredObjectDeleteMarker === true));
}

/** Whether filters need an object's tags (so a listing entry, which has none, is not enough). */
export function needsTags(rules: readonly LifecycleRule[] | undefined): boolean {
  return (rules ?? []).some((r) => r.enabled && (r.filter.tags?.length ?? 0) > 0);
}
