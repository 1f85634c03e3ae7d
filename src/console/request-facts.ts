// The request facts an operator may supply to "Can this user do this?": the condition keys policies read from a
// real request (source address, TLS, listing parameters, headers, the object's tags). Checked here so a typo is
// refused plainly instead of silently matching nothing.
import { isIP } from 'node:net';
import type { ConditionContext } from '../access/access-control.js';

/** Keys taken as they are. */
const PLAIN_KEYS = new Set([
  'aws:SourceIp',
  'aws:SecureTransport',
  'aws:UserAgent',
  'aws:Referer',
  'aws:CurrentTime',
  'aws:EpochTime',
  's3:prefix',
  's3:delimiter',
  's3:max-keys',
  's3:signatureversion',
  's3:authType',
  's3:x-amz-acl',
  's3:x-amz-server-side-encryption',
  's3:x-amz-copy-source',
  's3:x-amz-metadata-directive',
  's3:x-amz-storage-class',
  's3:x-amz-content-sha256',
  's3:x-amz-object-ownership',
]);
/** Keys with a tag name after the slash. */
const TAG_PREFIXES = ['s3:ExistingObjectTag/', 's3:RequestObjectTag/'];
export const EXISTING_TAG_PREFIX = 's3:ExistingObjectTag/';

export class RequestFactError extends Error {}

/** The supplied facts as a condition context; throws RequestFactError naming the first fact it cannot use. */
export function requestFacts(input: unknown, now: Date): ConditionContext {
  // What any request carries, so time conditions are decided as for a request made now.
  const context: ConditionContext = { 'aws:CurrentTime': now.toISOString(), 'aws:EpochTime': String(Math.floor(now.getTime() / 1000)) };
  if (input === undefined || input === null) return context;
  if (typeof input !== 'object' || Array.isArray(input)) throw new RequestFactError('facts must be an object of condition keys and string values.');
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new RequestFactError(`The value of ${key} must be a string.`);
    if (value === '') continue;
    const tagged = TAG_PREFIXES.find((p) => key.startsWith(p) && key.length > p.length);
    if (!PLAIN_KEYS.has(key) && tagged === undefined) throw new RequestFactError(`${key} is not a request fact this check can use.`);
    if (key === 'aws:SourceIp' && isIP(value) === 0) throw new RequestFactError(`aws:SourceIp must be an IPv4 or IPv6 address, not ${value}.`);
    if (key === 'aws:SecureTransport' && value !== 'true' && value !== 'false') throw new RequestFactError('aws:SecureTransport must be true or false.');
    context[key] = value;
  }
  return context;
}
