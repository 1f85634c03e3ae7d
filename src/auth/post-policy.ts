// The POST policy of a browser form upload (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
// a base64 JSON document with an expiration and conditions that every form field must satisfy. Pure: the
// caller hands in the fields (names lower-cased) and the bucket; errors are worded as S3 words them.
import { S3Error } from '../errors/s3-error.js';

/** A file size the policy allows, checked while the file streams. */
export interface LengthRange {
  min: number;
  max: number;
}

type Condition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string; text: string }
  | { kind: 'content-length-range'; range: LengthRange };

export interface PostPolicy {
  expiration: Date;
  conditions: Condition[];
}

/** Fields that never need a condition (the signature's own fields, the file, and x-ignore-*). */
const EXEMPT_FIELDS = new Set(['awsaccesskeyid', 'signature', 'file', 'policy', 'x-amz-signature']);

function invalidPolicy(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', { message: `Invalid Policy: ${detail}` });
}

function notAccording(detail: string): S3Error {
  return new S3Error('AccessDenied', { message: `Invalid according to Policy: ${detail}` });
}

function fieldName(raw: string): string {
  return (raw.startsWith('$') ? raw.slice(1) : raw).toLowerCase();
}

function parseLength(value: unknown): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw invalidPolicy('Invalid content-length-range.');
  return n;
}

function parseCondition(entry: unknown): Condition[] {
  if (Array.isArray(entry)) {
    const [op, a, b] = entry as unknown[];
    if (entry.length !== 3 || typeof op !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
    const kind = op.toLowerCase();
    if (kind === 'content-length-range') return [{ kind, range: { min: parseLength(a), max: parseLength(b) } }];
    if ((kind !== 'eq' && kind !== 'starts-with') || typeof a !== 'string' || !a.startsWith('$') || typeof b !== 'string') {
      throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
    }
    return [{ kind, field: fieldName(a), value: b, text: JSON.stringify(entry).replace(/","/g, '", "') }];
  }
  if (typeof entry === 'object' && entry !== null) {
    // The object form {"field": "value"} is an exact match, like ["eq", "$field", "value"].
    return Object.entries(entry).map(([name, value]) => {
      if (typeof value !== 'string') throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
      return { kind: 'eq' as const, field: fieldName(name), value, text: `["eq", "$${name}", ${JSON.stringify(value)}]` };
    });
  }
  throw invalidPolicy(`Invalid Condition: ${JSON.stringify(entry)}`);
}

/** Decodes and checks the shape of a base64 policy document. */
export function parsePostPolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    const text = Buffer.from(base64, 'base64').toString('utf8');
    doc = JSON.parse(text);
  } catch {
    throw invalidPolicy('Invalid JSON.');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = doc as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalidPolicy('Policy missing expiration.');
  const expires = typeof expiration === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(expiration) ? new Date(expiration) : new Date(NaN);
  if (Number.isNaN(expires.getTime())) throw invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (conditions === undefined) throw invalidPolicy('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalidPolicy('Invalid JSON.');
  return { expiration: expires, conditions: conditions.flatMap(parseCondition) };
}

function startsWith(field: string, value: string, prefix: string): boolean {
  // A Content-Type may list several types; each must start with the prefix.
  if (field === 'content-type') return value.split(',').every((part) => part.trim().startsWith(prefix));
  return value.startsWith(prefix);
}

/**
 * Checks the form against the policy: not expired, every condition holding, and no field the policy does
 * not mention. Returns the file size range the policy allows (all sizes when it sets none).
 */
export function checkPostPolicy(policy: PostPolicy, fields: Map<string, string>, bucket: string, now: Date): LengthRange {
  if (policy.expiration.getTime() <= now.getTime()) throw notAccording('Policy expired.');
  const valueOf = (field: string): string | undefined => (field === 'bucket' ? bucket : fields.get(field));
  const covered = new Set<string>(['bucket']);
  let range: LengthRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range = condition.range;
      continue;
    }
    covered.add(condition.field);
    const value = valueOf(condition.field);
    const holds = value !== undefined && (condition.kind === 'eq' ? value === condition.value : startsWith(condition.field, value, condition.value));
    if (!holds) throw notAccording(`Policy Condition failed: ${condition.text}`);
  }
  const extra = [...fields.keys()].filter((f) => !covered.has(f) && !EXEMPT_FIELDS.has(f) && !f.startsWith('x-ignore-'));
  if (extra.length > 0) throw notAccording(`Extra input fields: ${extra.join(', ')}`);
  return range;
}
