// LifecycleConfiguration documents: parsed and checked as S3 checks them (codes and messages as S3 answers),
// and written back in the form they were given. Transitions are refused: there is one storage tier.
// https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
import { randomBytes } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';
import type { LifecycleConfiguration, LifecycleFilter, LifecycleRule, Tag } from '../storage/metadata-index.js';
import { decodeXml, listOf, textOf, type XmlNode } from '../xml/decode.js';
import type { LifecycleConfigurationDocument, LifecycleFilterDocument, LifecycleRuleDocument } from '../xml/shapes.js';

type Element = { [name: string]: XmlNode | XmlNode[] | undefined };

const MAX_RULES = 1000;
const MAX_ID_LENGTH = 255;
/** S3's bounds on the size filters (1000 TiB). */
const MAX_OBJECT_SIZE = 1_099_511_627_776_000;

const invalidArgument = (message: string, name?: string, value?: string): S3Error =>
  new S3Error('InvalidArgument', { message, fields: name === undefined ? {} : { ArgumentName: name, ...(value === undefined ? {} : { ArgumentValue: value }) } });
const invalidRequest = (message: string): S3Error => new S3Error('InvalidRequest', { message });
const malformed = (): S3Error => new S3Error('MalformedXML');

/** Refuses elements the schema does not define for this element. */
function onlyElements(element: Element, allowed: readonly string[]): void {
  for (const name of Object.keys(element)) if (!allowed.includes(name)) throw malformed();
}

/** A child that may appear at most once. */
function single(element: Element, name: string): Element | undefined {
  const items = listOf(element[name]);
  if (items.length > 1) throw malformed();
  return items[0];
}

function singleText(element: Element, name: string): string | undefined {
  const node = element[name];
  if (Array.isArray(node)) throw malformed();
  return textOf(node);
}

/** An xs:int or xs:long: anything else does not validate against the schema. */
function integer(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^[+-]?\d{1,16}$/.test(text)) throw malformed();
  return Number(text);
}

function positive(value: number | undefined, message: string, name: string): number | undefined {
  if (value !== undefined && value <= 0) throw invalidArgument(message, name, String(value));
  return value;
}

/** An ISO 8601 date or date-time; S3 takes only midnight UTC. */
function midnight(text: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text);
  if (!m) throw malformed();
  const date = new Date(m[4] === undefined ? `${m[1]}-${m[2]}-${m[3]}T00:00:00Z` : text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2') + (m[8] === undefined ? 'Z' : ''));
  if (Number.isNaN(date.getTime())) throw malformed();
  if (date.getTime() % 86_400_000 !== 0) throw invalidArgument("'Date' must be at midnight GMT", 'Date', text);
  return date;
}

function tagOf(element: Element): Tag {
  onlyElements(element, ['Key', 'Value']);
  const key = singleText(element, 'Key');
  const value = singleText(element, 'Value') ?? '';
  if (key === undefined || key === '') throw malformed();
  return { key, value };
}

function sizeBound(text: string | undefined, name: 'ObjectSizeGreaterThan' | 'ObjectSizeLessThan'): number | undefined {
  const value = integer(text);
  if (value === undefined) return undefined;
  const min = name === 'ObjectSizeGreaterThan' ? 0 : 1;
  if (value < min || value > MAX_OBJECT_SIZE) throw invalidRequest(`'${name}' should be between ${min} and ${MAX_OBJECT_SIZE}.`);
  return value;
}

/** The predicates of a Filter or an And; a Filter holds at most one, an And any number. */
function predicates(element: Element, inAnd: boolean): LifecycleFilter {
  onlyElements(element, inAnd ? ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan'] : ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And']);
  const filter: LifecycleFilter = {};
  const prefix = singleText(element, 'Prefix');
  if (prefix !== undefined) filter.prefix = prefix;
  const tags = listOf(element.Tag).map(tagOf);
  if (!inAnd && tags.length > 1) throw malformed();
  if (new Set(tags.map((t) => t.key)).size !== tags.length) throw invalidRequest('Duplicate Tag Keys are not allowed.');
  if (tags.length > 0) filter.tags = tags;
  const greater = sizeBound(singleText(element, 'ObjectSizeGreaterThan'), 'ObjectSizeGreaterThan');
  const less = sizeBound(singleText(element, 'ObjectSizeLessThan'), 'ObjectSizeLessThan');
  if (greater !== undefined) filter.objectSizeGreaterThan = greater;
  if (less !== undefined) filter.objectSizeLessThan = less;
  if (greater !== undefined && less !== undefined && less <= greater) {
    throw invalidRequest("'ObjectSizeLessThan' has to be a value greater than 'ObjectSizeGreaterThan'.");
  }
  return filter;
}

/** A rule's scope: the old rule-level Prefix, or a Filter with at most one predicate or an And. */
function scopeOf(rule: Element, v2: boolean): Pick<LifecycleRule, 'filter' | 'form'> {
  const prefix = singleText(rule, 'Prefix');
  const filterElement = single(rule, 'Filter');
  if (prefix === undefined && filterElement === undefined) throw malformed();
  if (prefix !== undefined && filterElement !== undefined) throw malformed();
  if (prefix !== undefined) {
    if (v2) throw invalidRequest('Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.');
    return { form: 'prefix', filter: { prefix } };
  }
  if (!v2) throw invalidRequest('Filter element can only be used in Lifecycle V2.');
  const and = single(filterElement!, 'And');
  if (and !== undefined) {
    if (Object.keys(filterElement!).length !== 1) throw malformed();
    return { form: 'and', filter: predicates(and, true) };
  }
  if (Object.keys(filterElement!).length > 1) throw malformed();
  return { form: 'filter', filter: predicates(filterElement!, false) };
}

function expirationOf(rule: Element, parsed: LifecycleRule): void {
  const expiration = single(rule, 'Expiration');
  if (expiration === undefined) return;
  onlyElements(expiration, ['Date', 'Days', 'ExpiredObjectDeleteMarker']);
  const date = singleText(expiration, 'Date');
  const days = integer(singleText(expiration, 'Days'));
  const marker = singleText(expiration, 'ExpiredObjectDeleteMarker');
  // Exactly one of the three.
  if ([date, days, marker].filter((v) => v !== undefined).length !== 1) throw malformed();
  if (date !== undefined) parsed.expirationDate = midnight(date);
  if (days !== undefined) parsed.expirationDays = positive(days, "'Days' for Expiration action must be a positive integer", 'Days');
  if (marker !== undefined) {
    if (marker !== 'true' && marker !== 'false') throw malformed();
    parsed.expiredObjectDeleteMarker = marker === 'true';
  }
}

function noncurrentOf(rule: Element, parsed: LifecycleRule, v2: boolean): void {
  const noncurrent = single(rule, 'NoncurrentVersionExpiration');
  if (noncurrent === undefined) return;
  onlyElements(noncurrent, ['NoncurrentDays', 'NewerNoncurrentVersions']);
  const days = integer(singleText(noncurrent, 'NoncurrentDays'));
  if (days === undefined) throw malformed();
  parsed.noncurrentDays = positive(days, "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", 'NoncurrentDays');
  const newer = integer(singleText(noncurrent, 'NewerNoncurrentVersions'));
  if (newer !== undefined) {
    if (!v2) throw invalidRequest('NewerNoncurrentVersions element can only be used in Lifecycle V2.');
    parsed.newerNoncurrentVersions = positive(newer, "'NewerNoncurrentVersions' must be a positive integer", 'NewerNoncurrentVersions');
  }
}

function abortOf(rule: Element, parsed: LifecycleRule): void {
  const abort = single(rule, 'AbortIncompleteMultipartUpload');
  if (abort === undefined) return;
  onlyElements(abort, ['DaysAfterInitiation']);
  const days = integer(singleText(abort, 'DaysAfterInitiation'));
  if (days === undefined) throw malformed();
  parsed.abortIncompleteMultipartUploadDays = positive(
    days, "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer", 'DaysAfterInitiation');
}

const RULE_ELEMENTS = [
  'ID', 'Status', 'Prefix', 'Filter', 'Expiration', 'NoncurrentVersionExpiration', 'AbortIncompleteMultipartUpload',
  'Transition', 'NoncurrentVersionTransition',
] as const;

function ruleOf(rule: Element, v2: boolean): LifecycleRule & { transitions: boolean } {
  onlyElements(rule, RULE_ELEMENTS);
  const status = singleText(rule, 'Status');
  if (status !== 'Enabled' && status !== 'Disabled') throw malformed();
  const parsed: LifecycleRule & { transitions: boolean } = {
    id: singleText(rule, 'ID') ?? '',
    enabled: status === 'Enabled',
    ...scopeOf(rule, v2),
    transitions: rule.Transition !== undefined || rule.NoncurrentVersionTransition !== undefined,
  };
  expirationOf(rule, parsed);
  noncurrentOf(rule, parsed, v2);
  abortOf(rule, parsed);
  const acts = parsed.expirationDays !== undefined || parsed.expirationDate !== undefined || parsed.expiredObjectDeleteMarker !== undefined ||
    parsed.noncurrentDays !== undefined || parsed.abortIncompleteMultipartUploadDays !== undefined || parsed.transitions;
  if (!acts) throw invalidRequest('At least one action needs to be specified in a rule');
  const tags = (parsed.filter.tags?.length ?? 0) > 0;
  const sizes = parsed.filter.objectSizeGreaterThan !== undefined || parsed.filter.objectSizeLessThan !== undefined;
  if (parsed.expiredObjectDeleteMarker !== undefined && tags) throw invalidRequest('ExpiredObjectDeleteMarker cannot be specified with Tags.');
  if (parsed.expiredObjectDeleteMarker !== undefined && sizes) throw invalidRequest('ExpiredObjectDeleteMarker cannot be specified with Object Size.');
  if (parsed.abortIncompleteMultipartUploadDays !== undefined && tags) throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Tags.');
  if (parsed.abortIncompleteMultipartUploadDays !== undefined && sizes) throw invalidRequest('AbortIncompleteMultipartUpload cannot be specified with Object Size.');
  return parsed;
}

/** The kinds of action a rule takes, named as S3 names them in its overlap error. */
function actionTypes(rule: LifecycleRule): string[] {
  const types: string[] = [];
  if (rule.expirationDays !== undefined || rule.expirationDate !== undefined || rule.expiredObjectDeleteMarker !== undefined) types.push('Expiration');
  if (rule.noncurrentDays !== undefined) types.push('NoncurrentVersionExpiration');
  if (rule.abortIncompleteMultipartUploadDays !== undefined) types.push('AbortIncompleteMultipartUpload');
  return types;
}

/** Before Lifecycle V2 (rule-level prefixes), two rules whose prefixes overlap may not take the same kind of action. */
function refuseOverlaps(rules: LifecycleRule[]): void {
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!.filter.prefix ?? '';
      const b = rules[j]!.filter.prefix ?? '';
      if (!a.startsWith(b) && !b.startsWith(a)) continue;
      const shared = actionTypes(rules[i]!).find((t) => actionTypes(rules[j]!).includes(t));
      if (shared !== undefined) throw invalidRequest(`Found overlapping prefixes '${a}' and '${b}' for same action type '${shared}'`);
    }
  }
}

/** A rule without an ID gets a random one, as S3 gives it. */
function generatedId(): string {
  return randomBytes(24).toString('base64url');
}

export function parseLifecycleConfiguration(text: string): LifecycleConfiguration {
  const doc = decodeXml(text, 'LifecycleConfiguration');
  onlyElements(doc, ['Rule']);
  const elements = listOf(doc.Rule);
  if (elements.length === 0) throw malformed();
  if (elements.length > MAX_RULES) throw invalidRequest(`The number of lifecycle rules must not exceed the allowed limit of ${MAX_RULES} rules.`);
  const ids = new Set<string>();
  for (const element of elements) {
    const id = singleText(element, 'ID');
    if (id === undefined || id === '') continue;
    if ([...id].length > MAX_ID_LENGTH) throw invalidArgument(`ID length should not exceed allowed limit of ${MAX_ID_LENGTH}`, 'ID', id);
    if (ids.has(id)) throw invalidArgument('Rule ID must be unique. Found same ID for more than one rule', 'ID', id);
    ids.add(id);
  }
  // The first rule decides the version of the document: a Filter makes it Lifecycle V2.
  const v2 = elements[0]!.Filter !== undefined;
  const parsed = elements.map((element) => ruleOf(element, v2));
  if (!v2) refuseOverlaps(parsed);
  if (parsed.some((r) => r.transitions)) {
    throw invalidRequest('Transition and NoncurrentVersionTransition actions are not supported: this server keeps every object in one storage class (STANDARD).');
  }
  return { rules: parsed.map(({ transitions: _, ...rule }) => (rule.id === '' ? { ...rule, id: generatedId() } : rule)) };
}

function filterDocument(filter: LifecycleFilter): LifecycleFilterDocument {
  const doc: LifecycleFilterDocument = {};
  if (filter.prefix !== undefined) doc.Prefix = filter.prefix;
  if (filter.tags !== undefined) doc.Tag = filter.tags.map((t) => ({ Key: t.key, Value: t.value }));
  if (filter.objectSizeGreaterThan !== undefined) doc.ObjectSizeGreaterThan = filter.objectSizeGreaterThan;
  if (filter.objectSizeLessThan !== undefined) doc.ObjectSizeLessThan = filter.objectSizeLessThan;
  return doc;
}

/** The stored rules as GetBucketLifecycleConfiguration answers them, in S3's element order. */
export function lifecycleDocument(config: LifecycleConfiguration): LifecycleConfigurationDocument {
  return {
    Rule: config.rules.map((rule): LifecycleRuleDocument => {
      const doc: LifecycleRuleDocument = {};
      if (rule.expirationDate !== undefined) doc.Expiration = { Date: rule.expirationDate.toISOString() };
      else if (rule.expirationDays !== undefined) doc.Expiration = { Days: rule.expirationDays };
      else if (rule.expiredObjectDeleteMarker !== undefined) doc.Expiration = { ExpiredObjectDeleteMarker: rule.expiredObjectDeleteMarker };
      doc.ID = rule.id;
      if (rule.form === 'prefix') doc.Prefix = rule.filter.prefix ?? '';
      else doc.Filter = rule.form === 'and' ? { And: filterDocument(rule.filter) } : filterDocument(rule.filter);
      doc.Status = rule.enabled ? 'Enabled' : 'Disabled';
      if (rule.noncurrentDays !== undefined) {
        doc.NoncurrentVersionExpiration = { NoncurrentDays: rule.noncurrentDays, NewerNoncurrentVersions: rule.newerNoncurrentVersions };
      }
      if (rule.abortIncompleteMultipartUploadDays !== undefined) {
        doc.AbortIncompleteMultipartUpload = { DaysAfterInitiation: rule.abortIncompleteMultipartUploadDays };
      }
      return doc;
    }),
  };
}
