// Reading request documents: strict JSON objects with known fields only, so a typo ("maxbytes") is an
// error rather than a silently ignored field.
import { invalidInput } from './errors.js';
import type { QuotaView } from './types.js';

export type JsonObject = Record<string, unknown>;

export function parseJsonObject(body: Buffer, allowed: readonly string[]): JsonObject {
  const text = body.toString('utf8');
  if (text.trim() === '') throw invalidInput('The request body must be a JSON object.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`The request body is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidInput('The request body must be a JSON object.');
  const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw invalidInput(`Unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected ${allowed.join(', ')}.`);
  }
  return value as JsonObject;
}

export function requiredString(doc: JsonObject, field: string): string {
  const value = doc[field];
  if (typeof value !== 'string' || value === '') throw invalidInput(`"${field}" must be a non-empty string.`);
  return value;
}

export function requiredBoolean(doc: JsonObject, field: string): boolean {
  const value = doc[field];
  if (typeof value !== 'boolean') throw invalidInput(`"${field}" must be true or false.`);
  return value;
}

function limit(doc: JsonObject, field: string): number | undefined {
  const value = doc[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidInput(`"${field}" must be a non-negative integer.`);
  }
  return value;
}

/** `{ maxBytes?, maxObjects? }`; at least one, since "no limits" is what DELETE on the quota means. */
export function parseQuota(body: Buffer): QuotaView {
  const doc = parseJsonObject(body, ['maxBytes', 'maxObjects']);
  const quota: QuotaView = {};
  const maxBytes = limit(doc, 'maxBytes');
  const maxObjects = limit(doc, 'maxObjects');
  if (maxBytes !== undefined) quota.maxBytes = maxBytes;
  if (maxObjects !== undefined) quota.maxObjects = maxObjects;
  if (maxBytes === undefined && maxObjects === undefined) {
    throw invalidInput('A quota needs "maxBytes", "maxObjects" or both; DELETE the quota to remove the limits.');
  }
  return quota;
}
