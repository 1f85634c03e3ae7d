// Object Lock as requests state it: the x-amz-object-lock-* headers of PutObject, CopyObject and
// CreateMultipartUpload, the bucket's default retention, and the bypass-governance header (honoured only for a
// principal allowed s3:BypassGovernanceRetention).
import { S3Error } from '../errors/s3-error.js';
import type { BucketRecord, DefaultRetention, LockOverride, Retention, RetentionMode } from '../storage/metadata-index.js';
import type { S3Context } from './context.js';

/** The lock a new version gets. */
export interface NewVersionLock {
  retention?: Retention;
  legalHold?: boolean;
}

export function parseRetentionMode(raw: string | undefined, argument: string): RetentionMode {
  if (raw === 'GOVERNANCE' || raw === 'COMPLIANCE') return raw;
  throw new S3Error('InvalidArgument', { message: 'Unknown wormMode directive.', fields: { ArgumentName: argument, ArgumentValue: raw ?? '' } });
}

/** An ISO 8601 retain-until date in the future (by the server's clock). */
export function parseRetainUntil(raw: string | undefined, now: Date, argument: string): Date {
  const ms = raw === undefined ? NaN : Date.parse(raw);
  if (Number.isNaN(ms)) {
    throw new S3Error('InvalidArgument', { message: 'The retain until date must be provided in ISO 8601 format', fields: { ArgumentName: argument, ArgumentValue: raw ?? '' } });
  }
  if (ms <= now.getTime()) {
    throw new S3Error('InvalidArgument', { message: 'The retain until date must be in the future!', fields: { ArgumentName: argument, ArgumentValue: raw ?? '' } });
  }
  return new Date(ms);
}

function requireLockEnabled(bucket: BucketRecord | undefined): void {
  if (!bucket?.objectLockEnabled) throw new S3Error('InvalidRequest', { message: 'Bucket is missing Object Lock Configuration' });
}

/** Retention until `now` plus the default's days or years, as S3 computes it (calendar years). */
export function defaultRetentionFrom(config: DefaultRetention, now: Date): Retention {
  const until = new Date(now);
  if (config.years !== undefined) until.setUTCFullYear(until.getUTCFullYear() + config.years);
  else until.setUTCDate(until.getUTCDate() + (config.days ?? 0));
  return { mode: config.mode, retainUntil: until };
}

/** True when the request carries any x-amz-object-lock-* header (such writes must carry a body digest). */
export function asksForLock(headers: Map<string, string>): boolean {
  return headers.has('x-amz-object-lock-mode') || headers.has('x-amz-object-lock-retain-until-date') || headers.has('x-amz-object-lock-legal-hold');
}

/** The lock a version written by this request gets: its headers, else the bucket's default retention. */
export function newVersionLock(ctx: S3Context): NewVersionLock {
  const bucket = ctx.bucketRecord;
  const modeHeader = ctx.headers.get('x-amz-object-lock-mode');
  const untilHeader = ctx.headers.get('x-amz-object-lock-retain-until-date');
  const holdHeader = ctx.headers.get('x-amz-object-lock-legal-hold');
  const lock: NewVersionLock = {};
  if (modeHeader !== undefined || untilHeader !== undefined) {
    requireLockEnabled(bucket);
    if (modeHeader === undefined || untilHeader === undefined) {
      throw new S3Error('InvalidArgument', {
        message: 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
        fields: { ArgumentName: modeHeader === undefined ? 'x-amz-object-lock-mode' : 'x-amz-object-lock-retain-until-date' },
      });
    }
    lock.retention = { mode: parseRetentionMode(modeHeader, 'x-amz-object-lock-mode'), retainUntil: parseRetainUntil(untilHeader, ctx.now, 'x-amz-object-lock-retain-until-date') };
  } else if (bucket?.defaultRetention !== undefined) {
    lock.retention = defaultRetentionFrom(bucket.defaultRetention, ctx.now);
  }
  if (holdHeader !== undefined) {
    requireLockEnabled(bucket);
    if (holdHeader !== 'ON' && holdHeader !== 'OFF') {
      throw new S3Error('InvalidArgument', { message: 'Legal Hold must be either of \'ON\' or \'OFF\'', fields: { ArgumentName: 'x-amz-object-lock-legal-hold', ArgumentValue: holdHeader } });
    }
    if (holdHeader === 'ON') lock.legalHold = true;
  }
  return lock;
}

/**
 * How far this request may override Object Lock: the server's clock, and governance bypass when it sends
 * x-amz-bypass-governance-retention: true and its principal is allowed s3:BypassGovernanceRetention.
 */
export async function lockOverride(ctx: S3Context, key = ctx.key): Promise<LockOverride> {
  const asked = ctx.headers.get('x-amz-bypass-governance-retention')?.toLowerCase() === 'true';
  const bypassGovernance = asked && (await ctx.access.allows('s3:BypassGovernanceRetention', ctx.bucket, key));
  return { now: new Date(), bypassGovernance };
}

/** Headers describing a version's lock, as GetObject and HeadObject return them. */
export function lockHeaders(lock: NewVersionLock): Record<string, string> {
  const out: Record<string, string> = {};
  if (lock.retention) {
    out['x-amz-object-lock-mode'] = lock.retention.mode;
    out['x-amz-object-lock-retain-until-date'] = lock.retention.retainUntil.toISOString();
  }
  if (lock.legalHold) out['x-amz-object-lock-legal-hold'] = 'ON';
  return out;
}
