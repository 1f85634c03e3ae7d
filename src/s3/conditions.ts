// Conditional reads: If-Match / If-None-Match / If-(Un)Modified-Since on GET and HEAD, and CopyObject's
// x-amz-copy-source-if-* family, evaluated in RFC 9110 §13.2.2 order as the GetObject and CopyObject API
// references describe: If-Match true overrides a false If-Unmodified-Since (200), and If-None-Match overrides
// If-Modified-Since (a matching ETag gives 304 on GET/HEAD, 412 on copy).

export type ConditionOutcome = 'ok' | 'not-modified' | 'precondition-failed';

export interface ConditionVerdict {
  outcome: ConditionOutcome;
  /** The header that decided a failure, as S3 names it in PreconditionFailed's <Condition>. */
  condition?: string;
}

export interface ConditionalObject {
  /** Unquoted ETag. */
  etag: string;
  lastModified: Date;
}

interface EntityTag {
  value: string;
  weak: boolean;
}

/** Parses an If-Match / If-None-Match value: '*' or a list of entity tags (quoted or, leniently, bare). */
function parseEntityTags(value: string): '*' | EntityTag[] {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let i = 0;
  while (i < value.length) {
    while (i < value.length && (value[i] === ',' || value[i] === ' ' || value[i] === '\t')) i++;
    if (i >= value.length) break;
    const weak = value.startsWith('W/', i);
    if (weak) i += 2;
    let end: number;
    if (value[i] === '"') {
      end = value.indexOf('"', i + 1);
      if (end < 0) end = value.length;
      tags.push({ value: value.slice(i + 1, end), weak });
      i = end + 1;
    } else {
      end = value.indexOf(',', i);
      if (end < 0) end = value.length;
      tags.push({ value: value.slice(i, end).trim(), weak });
      i = end;
    }
  }
  return tags;
}

/** If-Match uses strong comparison: a weak tag never matches (RFC 9110 §13.1.1). */
function matchesStrong(header: string, etag: string): boolean {
  const tags = parseEntityTags(header);
  return tags === '*' || tags.some((t) => !t.weak && t.value === etag);
}

/** If-None-Match uses weak comparison: W/"x" matches "x" (RFC 9110 §13.1.2). */
function matchesWeak(header: string, etag: string): boolean {
  const tags = parseEntityTags(header);
  return tags === '*' || tags.some((t) => t.value === etag);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{1,2}) ${MONTH} (\\d{4}) ${TIME} (?:GMT|UTC|\\+0000)$`);
const RFC_850 = new RegExp(`^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/;

function utc(year: number, month: string, day: number, h: string, m: string, s: string): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const ms = Date.UTC(year, monthIndex, day, Number(h), Number(m), Number(s));
  const d = new Date(ms);
  // Reject dates that Date.UTC would roll over (31 Feb, 25:00:00).
  if (d.getUTCDate() !== day || d.getUTCMonth() !== monthIndex || d.getUTCHours() !== Number(h)
    || d.getUTCMinutes() !== Number(m) || d.getUTCSeconds() !== Number(s)) return undefined;
  return ms;
}

/**
 * An HTTP-date (IMF-fixdate, obsolete RFC 850 and asctime forms, RFC 9110 §5.6.7), or ISO 8601 with a zone,
 * in epoch milliseconds; undefined when invalid, and an invalid date makes its condition ignored.
 */
export function parseHttpDate(value: string, now: Date = new Date()): number | undefined {
  const v = value.trim();
  let m = IMF_FIXDATE.exec(v);
  if (m) return utc(Number(m[3]), m[2] as string, Number(m[1]), m[4] as string, m[5] as string, m[6] as string);
  m = RFC_850.exec(v);
  if (m) {
    // Two-digit years: the most recent year with those digits not more than 50 years ahead (RFC 9110 §5.6.7).
    let year = Math.floor(now.getUTCFullYear() / 100) * 100 + Number(m[3]);
    if (year > now.getUTCFullYear() + 50) year -= 100;
    return utc(year, m[2] as string, Number(m[1]), m[4] as string, m[5] as string, m[6] as string);
  }
  m = ASCTIME.exec(v);
  if (m) return utc(Number(m[6]), m[1] as string, Number((m[2] as string).trim()), m[3] as string, m[4] as string, m[5] as string);
  if (ISO_8601.test(v)) {
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

interface ConditionHeaders {
  ifMatch: string;
  ifUnmodifiedSince: string;
  ifNoneMatch: string;
  ifModifiedSince: string;
}

type Failure = 'none-match' | 'modified-since' | 'match' | 'unmodified-since';

function firstFailure(
  headers: Map<string, string>,
  names: ConditionHeaders,
  obj: ConditionalObject,
  now: Date,
): { failure: Failure; header: string } | undefined {
  const get = (name: string): string | undefined => {
    const v = headers.get(name)?.trim();
    return v === '' ? undefined : v;
  };
  // HTTP dates have whole seconds, so Last-Modified is compared at second precision.
  const lastModified = Math.floor(obj.lastModified.getTime() / 1000) * 1000;

  const ifMatch = get(names.ifMatch);
  if (ifMatch !== undefined) {
    if (!matchesStrong(ifMatch, obj.etag)) return { failure: 'match', header: names.ifMatch };
  } else {
    const since = get(names.ifUnmodifiedSince);
    const date = since === undefined ? undefined : parseHttpDate(since, now);
    if (date !== undefined && lastModified > date) return { failure: 'unmodified-since', header: names.ifUnmodifiedSince };
  }

  const ifNoneMatch = get(names.ifNoneMatch);
  if (ifNoneMatch !== undefined) {
    if (matchesWeak(ifNoneMatch, obj.etag)) return { failure: 'none-match', header: names.ifNoneMatch };
  } else {
    const since = get(names.ifModifiedSince);
    const date = since === undefined ? undefined : parseHttpDate(since, now);
    // A date later than the server's clock is ignored (RFC 7232 §3.3), as S3 does.
    if (date !== undefined && date <= now.getTime() && lastModified <= date) {
      return { failure: 'modified-since', header: names.ifModifiedSince };
    }
  }
  return undefined;
}

const GET_HEADERS: ConditionHeaders = {
  ifMatch: 'if-match',
  ifUnmodifiedSince: 'if-unmodified-since',
  ifNoneMatch: 'if-none-match',
  ifModifiedSince: 'if-modified-since',
};

const COPY_SOURCE_HEADERS: ConditionHeaders = {
  ifMatch: 'x-amz-copy-source-if-match',
  ifUnmodifiedSince: 'x-amz-copy-source-if-unmodified-since',
  ifNoneMatch: 'x-amz-copy-source-if-none-match',
  ifModifiedSince: 'x-amz-copy-source-if-modified-since',
};

/** S3 spells the header in <Condition> with its HTTP capitalisation, e.g. "If-Match", "x-amz-copy-source-If-Match". */
function conditionName(header: string): string {
  const prefix = header.startsWith('x-amz-copy-source-') ? 'x-amz-copy-source-' : '';
  const rest = header.slice(prefix.length).split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('-');
  return prefix + rest;
}

/** GET/HEAD conditions with the deciding header. Header names in `headers` are lower-case. */
export function checkConditions(headers: Map<string, string>, obj: ConditionalObject, now: Date = new Date()): ConditionVerdict {
  const failed = firstFailure(headers, GET_HEADERS, obj, now);
  if (!failed) return { outcome: 'ok' };
  const notModified = failed.failure === 'none-match' || failed.failure === 'modified-since';
  return { outcome: notModified ? 'not-modified' : 'precondition-failed', condition: conditionName(failed.header) };
}

export function evaluateConditions(headers: Map<string, string>, obj: ConditionalObject, now: Date = new Date()): ConditionOutcome {
  return checkConditions(headers, obj, now).outcome;
}

/** CopyObject / UploadPartCopy source conditions: every failure is 412, never 304. */
export function checkCopySourceConditions(
  headers: Map<string, string>,
  obj: ConditionalObject,
  now: Date = new Date(),
): ConditionVerdict {
  const failed = firstFailure(headers, COPY_SOURCE_HEADERS, obj, now);
  return failed ? { outcome: 'precondition-failed', condition: conditionName(failed.header) } : { outcome: 'ok' };
}

export function evaluateCopySourceConditions(
  headers: Map<string, string>,
  obj: ConditionalObject,
  now: Date = new Date(),
): 'ok' | 'precondition-failed' {
  return checkCopySourceConditions(headers, obj, now).outcome === 'ok' ? 'ok' : 'precondition-failed';
}
