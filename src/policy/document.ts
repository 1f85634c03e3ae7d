// Policy documents: parsing and validation the way S3 (PutBucketPolicy → MalformedPolicy) and IAM
// (identity policies → MalformedPolicyDocument) validate them, after "IAM JSON policy element reference" and
// "Bucket policies and user policies". A parsed document is normalised: every list-valued element is an array and
// every condition value a string, so evaluation never has to branch on the JSON shape again.

import { S3_ACTIONS, type ResourceLevel } from './actions.js';
import { invalidConditionValue, parseOperator, type ConditionBlock } from './conditions.js';
import { PolicyError } from './errors.js';
import { hasVariable, wildcardMatch } from './match.js';

export type PolicyVersion = '2012-10-17' | '2008-10-17';
export type Effect = 'Allow' | 'Deny';

/** "*" (everyone, anonymous included) or principals by type. */
export type PrincipalElement = '*' | { AWS?: string[]; CanonicalUser?: string[]; Service?: string[] };

export interface Statement {
  Sid?: string;
  Effect: Effect;
  Principal?: PrincipalElement;
  NotPrincipal?: PrincipalElement;
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: ConditionBlock;
}

export interface PolicyDocument {
  /** A document without a Version is a 2008-10-17 document (no policy variables), as IAM defines. */
  Version: PolicyVersion;
  Id?: string;
  Statement: Statement[];
}

export interface ParseOptions {
  /** Bucket policies need principals and resources inside `bucket`; identity policies must not name principals. */
  kind: 'bucket' | 'identity';
  bucket?: string;
}

/** S3: "Bucket policies are limited to 20 KB in size." */
export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;
/** IAM quota for a managed policy: 6,144 characters, whitespace not counted. */
export const MAX_IDENTITY_POLICY_CHARS = 6144;

const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'CanonicalUser', 'Service']);
const USER_NAME = /^[\w+=,.@-]{1,128}$/;
const PRINCIPAL_ARN = /^arn:aws:iam::[^:*?]*:(root|user\/(?:[\w+=,.@/-]*\/)?[\w+=,.@-]{1,128})$/;
const CONDITION_KEY = /^[A-Za-z0-9-]+:\S.*$/;

/** Parses and validates a policy; throws PolicyError (→ S3 MalformedPolicy) with an AWS-like message. */
export function parsePolicy(text: string, opts: ParseOptions): PolicyDocument {
  if (opts.kind === 'bucket' && !opts.bucket) throw new Error('parsePolicy: a bucket policy needs its bucket name');
  checkSize(text, opts.kind);
  const trimmed = text.trimStart();
  let json: unknown;
  try {
    if (!trimmed.startsWith('{')) throw new Error('not an object');
    json = JSON.parse(trimmed);
  } catch {
    throw new PolicyError("Policies must be valid JSON and the first byte must be '{'");
  }
  const root = asObject(json, "Policies must be valid JSON and the first byte must be '{'");
  for (const key of Object.keys(root)) if (!TOP_LEVEL_KEYS.has(key)) throw new PolicyError(`Unknown field ${key}`);

  const version = root.Version ?? '2008-10-17';
  if (version !== '2012-10-17' && version !== '2008-10-17') throw new PolicyError('The policy must contain a valid version string');
  if (root.Id !== undefined && typeof root.Id !== 'string') throw new PolicyError('Id must be a string');

  if (root.Statement === undefined) throw new PolicyError('Missing required field Statement');
  const rawStatements = Array.isArray(root.Statement) ? root.Statement : [root.Statement];
  if (rawStatements.length === 0) throw new PolicyError('Could not parse the policy: Statement is empty!');

  const sids = new Set<string>();
  const statements = rawStatements.map((raw) => {
    const st = parseStatement(raw, opts);
    if (st.Sid !== undefined && st.Sid !== '') {
      if (sids.has(st.Sid)) throw new PolicyError(`Statement IDs (SID) in a single policy must be unique: ${st.Sid}`);
      sids.add(st.Sid);
    }
    return st;
  });
  const doc: PolicyDocument = { Version: version, Statement: statements };
  if (typeof root.Id === 'string') doc.Id = root.Id;
  return doc;
}

function checkSize(text: string, kind: ParseOptions['kind']): void {
  if (kind === 'bucket' && Buffer.byteLength(text, 'utf8') > MAX_BUCKET_POLICY_BYTES) {
    throw new PolicyError(`Policies must be less than ${MAX_BUCKET_POLICY_BYTES} bytes (20 KB)`);
  }
  if (kind === 'identity' && text.replace(/\s/g, '').length > MAX_IDENTITY_POLICY_CHARS) {
    throw new PolicyError(`Cannot exceed quota for PolicySize: ${MAX_IDENTITY_POLICY_CHARS}`);
  }
}

function parseStatement(raw: unknown, opts: ParseOptions): Statement {
  const obj = asObject(raw, 'Each statement must be a JSON object');
  for (const key of Object.keys(obj)) if (!STATEMENT_KEYS.has(key)) throw new PolicyError(`Unknown field ${key}`);

  const st: Statement = { Effect: parseEffect(obj.Effect) };
  if (obj.Sid !== undefined) {
    if (typeof obj.Sid !== 'string') throw new PolicyError('Sid must be a string');
    st.Sid = obj.Sid;
  }

  const [principalKey, principal] = exactlyOne(obj, 'Principal', 'NotPrincipal', opts.kind === 'bucket');
  if (opts.kind === 'identity' && principalKey) throw new PolicyError('Policy document should not specify a principal.');
  if (principalKey) st[principalKey] = parsePrincipal(principal);
  // IAM: "We strongly recommend that you do not use NotPrincipal with Effect Allow"; S3 refuses the combination.
  if (principalKey === 'NotPrincipal' && st.Effect === 'Allow') {
    throw new PolicyError('NotPrincipal is supported only in statements with "Effect": "Deny"');
  }

  const [actionKey, actions] = exactlyOne(obj, 'Action', 'NotAction', true);
  if (actionKey) st[actionKey] = stringList(actions, actionKey).map((a) => checkAction(a, opts.kind));

  const [resourceKey, resources] = exactlyOne(obj, 'Resource', 'NotResource', true);
  if (resourceKey) st[resourceKey] = stringList(resources, resourceKey).map((r) => checkResource(r, opts));

  if (obj.Condition !== undefined) st.Condition = parseCondition(obj.Condition);

  if (opts.kind === 'bucket' && st.Action && st.Resource) checkActionsApply(st.Action, st.Resource);
  return st;
}

function parseEffect(value: unknown): Effect {
  if (value === undefined) throw new PolicyError('Missing required field Effect');
  if (value !== 'Allow' && value !== 'Deny') throw new PolicyError(`Invalid effect: ${String(value)}`);
  return value;
}

/** Returns which of two mutually exclusive elements is present (and its value); enforces presence if required. */
function exactlyOne<A extends string, B extends string>(
  obj: Record<string, unknown>,
  a: A,
  b: B,
  required: boolean,
): [A | B, unknown] | [undefined, undefined] {
  const hasA = obj[a] !== undefined;
  const hasB = obj[b] !== undefined;
  if (hasA && hasB) throw new PolicyError(`A statement cannot contain both ${a} and ${b}`);
  if (hasA) return [a, obj[a]];
  if (hasB) return [b, obj[b]];
  if (required) throw new PolicyError(`Missing required field ${a}`);
  return [undefined, undefined];
}

function parsePrincipal(value: unknown): PrincipalElement {
  const invalid = (): PolicyError => new PolicyError('Invalid principal in policy');
  if (value === '*') return '*';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid();
  const out: Exclude<PrincipalElement, '*'> = {};
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw invalid();
  for (const [type, raw] of entries) {
    if (!PRINCIPAL_TYPES.has(type)) throw invalid();
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length === 0 || !list.every((v): v is string => typeof v === 'string' && v !== '')) throw invalid();
    for (const v of list) {
      // Only "*" itself may be a wildcard; AWS rejects partial wildcards in principals.
      if (v === '*') {
        if (type === 'CanonicalUser') throw invalid();
        continue;
      }
      if (type === 'AWS' && !PRINCIPAL_ARN.test(v) && !USER_NAME.test(v)) throw invalid();
      if (type === 'CanonicalUser' && !USER_NAME.test(v)) throw invalid();
      if (type === 'Service' && !/^[a-z0-9.-]+$/.test(v)) throw invalid();
    }
    out[type as keyof typeof out] = list;
  }
  return out;
}

function stringList(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((v): v is string => typeof v === 'string')) {
    throw new PolicyError(`${field} must be a string or a non-empty array of strings`);
  }
  return list;
}

function checkAction(action: string, kind: ParseOptions['kind']): string {
  if (action === '*') return action;
  const invalid = (): PolicyError => new PolicyError(`Policy has invalid action: ${action}`);
  const m = /^([A-Za-z0-9-]+):([A-Za-z0-9*?]+)$/.exec(action);
  if (!m) throw invalid();
  const service = (m[1] ?? '').toLowerCase();
  // sklad's own admin API actions exist only in identity policies; bucket policies govern buckets.
  if (service === 'admin' && kind === 'identity') return action;
  if (service !== 's3') throw invalid();
  if (matchingLevels(action).size === 0) throw invalid();
  return action;
}

/** The resource levels of the known s3 actions an action pattern covers (empty: it names no real action). */
function matchingLevels(pattern: string): Set<ResourceLevel> {
  const levels = new Set<ResourceLevel>();
  for (const [name, level] of Object.entries(S3_ACTIONS)) {
    if (pattern === '*' || wildcardMatch(pattern, name, { ignoreCase: true })) levels.add(level);
  }
  return levels;
}

function checkResource(resource: string, opts: ParseOptions): string {
  if (opts.kind === 'identity') {
    if (resource === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:.+$/.test(resource)) return resource;
    throw new PolicyError(`Resource ${resource} must be in ARN format or "*".`);
  }
  const invalid = (): PolicyError => new PolicyError(`Policy has invalid resource: ${resource}`);
  const prefix = 'arn:aws:s3:::';
  if (!resource.startsWith(prefix)) throw invalid();
  const rest = resource.slice(prefix.length);
  const slash = rest.indexOf('/');
  const bucketPart = slash < 0 ? rest : rest.slice(0, slash);
  // The bucket part must name this bucket (wildcards allowed); a variable there could name any bucket.
  if (bucketPart === '' || hasVariable(bucketPart) || !wildcardMatch(bucketPart, opts.bucket ?? '')) throw invalid();
  return resource;
}

/**
 * S3 rejects a statement whose actions cannot apply to any of its resources, e.g. s3:GetObject on
 * "arn:aws:s3:::bucket" (an object action on a bucket ARN) or s3:ListBucket on "arn:aws:s3:::bucket/*".
 */
function checkActionsApply(actions: readonly string[], resources: readonly string[]): void {
  const resourceLevels = new Set<ResourceLevel>();
  for (const r of resources) {
    const rest = r.slice('arn:aws:s3:::'.length);
    if (!rest.includes('/')) resourceLevels.add('bucket');
    // `*` may also stand for "/key", so "arn:aws:s3:::bucket*" covers objects too.
    if (rest.includes('/') || rest.includes('*')) resourceLevels.add('object');
  }
  for (const action of actions) {
    const levels = matchingLevels(action);
    if (![...levels].some((l) => resourceLevels.has(l))) {
      throw new PolicyError('Action does not apply to any resource(s) in statement');
    }
  }
}

function parseCondition(value: unknown): ConditionBlock {
  const block = asObject(value, 'Condition must be a JSON object');
  const out: ConditionBlock = {};
  for (const [name, keysRaw] of Object.entries(block)) {
    const op = parseOperator(name);
    if (!op) throw new PolicyError(`Invalid Condition type : ${name}`);
    const keys = asObject(keysRaw, `Condition ${name} must map condition keys to values`);
    const parsedKeys: Record<string, string[]> = {};
    for (const [key, raw] of Object.entries(keys)) {
      if (!CONDITION_KEY.test(key)) throw new PolicyError(`Policy has an invalid condition key: ${key}`);
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0) throw new PolicyError(`Condition ${name} has no values for ${key}`);
      const values = list.map((v) => {
        if (typeof v === 'string') return v;
        if (typeof v === 'number' || typeof v === 'boolean') return String(v);
        throw new PolicyError(`Invalid Condition value for ${key}: values must be strings, numbers or booleans`);
      });
      for (const v of values) {
        const problem = invalidConditionValue(op, v);
        if (problem) throw new PolicyError(`${problem} (key ${key})`);
      }
      parsedKeys[key] = values;
    }
    out[name] = parsedKeys;
  }
  return out;
}

function asObject(value: unknown, message: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyError(message);
  return value as Record<string, unknown>;
}

/** Whether any condition of the document tests a key starting with `prefix` (case-insensitive, as keys compare). */
export function testsConditionKey(doc: PolicyDocument, prefix: string): boolean {
  const wanted = prefix.toLowerCase();
  return doc.Statement.some((st) =>
    Object.values(st.Condition ?? {}).some((keys) => Object.keys(keys).some((k) => k.toLowerCase().startsWith(wanted))),
  );
}
