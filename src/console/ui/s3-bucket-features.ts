// A bucket's versioning, Object Lock, lifecycle and CORS configurations through the S3 API (so the signed-in
// principal's policies decide), read from and written as the documents S3 defines.
import { children, escapeXml, getXml, putXml, s3Path, text } from './s3';
import { call } from './api';

const el = (name: string, value: string | number): string => `<${name}>${escapeXml(String(value))}</${name}>`;
const optional = (name: string, value: string | number | undefined): string => (value === undefined || value === '' ? '' : el(name, value));

// ---- versioning ----

export type VersioningStatus = 'Unversioned' | 'Enabled' | 'Suspended';

export async function getVersioning(bucket: string): Promise<VersioningStatus> {
  const root = await getXml(s3Path(bucket, undefined, 'versioning'));
  const status = root ? text(root, 'Status') : '';
  return status === 'Enabled' || status === 'Suspended' ? status : 'Unversioned';
}

export async function putVersioning(bucket: string, status: 'Enabled' | 'Suspended'): Promise<void> {
  await putXml(s3Path(bucket, undefined, 'versioning'), `<VersioningConfiguration>${el('Status', status)}</VersioningConfiguration>`);
}

// ---- Object Lock ----

export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface ObjectLockSettings {
  /** The default retention of new versions; absent when there is none. */
  mode?: RetentionMode;
  amount?: number;
  unit?: 'Days' | 'Years';
}

/** The bucket's Object Lock settings; undefined when the bucket has no Object Lock. */
export async function getObjectLock(bucket: string): Promise<ObjectLockSettings | undefined> {
  const root = await getXml(s3Path(bucket, undefined, 'object-lock'), 'ObjectLockConfigurationNotFoundError');
  if (root === undefined || text(root, 'ObjectLockEnabled') !== 'Enabled') return undefined;
  const retention = root.getElementsByTagName('DefaultRetention')[0];
  if (retention === undefined) return {};
  const days = text(retention, 'Days');
  const years = text(retention, 'Years');
  return { mode: text(retention, 'Mode') as RetentionMode, amount: Number(days || years), unit: days ? 'Days' : 'Years' };
}

export async function putObjectLock(bucket: string, settings: ObjectLockSettings): Promise<void> {
  const rule =
    settings.mode === undefined || settings.amount === undefined
      ? ''
      : `<Rule><DefaultRetention>${el('Mode', settings.mode)}${el(settings.unit ?? 'Days', settings.amount)}</DefaultRetention></Rule>`;
  await putXml(s3Path(bucket, undefined, 'object-lock'), `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${rule}</ObjectLockConfiguration>`);
}

// ---- lifecycle ----

/** One lifecycle rule as the console edits it; the parts it does not edit are kept as they were. */
export interface LifecycleRuleForm {
  id: string;
  enabled: boolean;
  prefix: string;
  tags: [string, string][];
  expirationDays?: number;
  /** Kept from the stored rule (not edited here): an expiration date (ISO) or the lone-marker cleanup. */
  expirationDate?: string;
  expiredObjectDeleteMarker?: boolean;
  noncurrentDays?: number;
  newerNoncurrentVersions?: number;
  abortDays?: number;
  objectSizeGreaterThan?: string;
  objectSizeLessThan?: string;
}

const num = (el: Element | undefined, name: string): number | undefined => {
  const value = el === undefined ? '' : text(el, name);
  return value === '' ? undefined : Number(value);
};

function parseRule(rule: Element): LifecycleRuleForm {
  const filter = children(rule, 'Filter')[0];
  const scope = filter ? (children(filter, 'And')[0] ?? filter) : rule;
  const expiration = children(rule, 'Expiration')[0];
  const noncurrent = children(rule, 'NoncurrentVersionExpiration')[0];
  const abort = children(rule, 'AbortIncompleteMultipartUpload')[0];
  const form: LifecycleRuleForm = {
    id: text(rule, 'ID'),
    enabled: text(rule, 'Status') === 'Enabled',
    prefix: children(scope, 'Prefix')[0]?.textContent ?? '',
    tags: children(scope, 'Tag').map((t) => [text(t, 'Key'), text(t, 'Value')]),
    expirationDays: num(expiration, 'Days'),
    noncurrentDays: num(noncurrent, 'NoncurrentDays'),
    newerNoncurrentVersions: num(noncurrent, 'NewerNoncurrentVersions'),
    abortDays: num(abort, 'DaysAfterInitiation'),
  };
  if (expiration && text(expiration, 'Date')) form.expirationDate = text(expiration, 'Date');
  if (expiration && text(expiration, 'ExpiredObjectDeleteMarker') === 'true') form.expiredObjectDeleteMarker = true;
  const greater = children(scope, 'ObjectSizeGreaterThan')[0]?.textContent;
  const less = children(scope, 'ObjectSizeLessThan')[0]?.textContent;
  if (greater) form.objectSizeGreaterThan = greater;
  if (less) form.objectSizeLessThan = less;
  return form;
}

function ruleXml(r: LifecycleRuleForm): string {
  const predicates = [
    r.prefix === '' ? '' : el('Prefix', r.prefix),
    ...r.tags.map(([k, v]) => `<Tag>${el('Key', k)}${el('Value', v)}</Tag>`),
    optional('ObjectSizeGreaterThan', r.objectSizeGreaterThan),
    optional('ObjectSizeLessThan', r.objectSizeLessThan),
  ].filter(Boolean);
  // A Filter holds one predicate, or an And of several; an empty Prefix means every object.
  const filter = predicates.length === 0 ? '<Prefix></Prefix>' : predicates.length === 1 ? predicates[0] : `<And>${predicates.join('')}</And>`;
  const expiration =
    r.expirationDays !== undefined
      ? el('Days', r.expirationDays)
      : r.expirationDate !== undefined
        ? el('Date', r.expirationDate)
        : r.expiredObjectDeleteMarker
          ? el('ExpiredObjectDeleteMarker', 'true')
          : '';
  return [
    '<Rule>',
    optional('ID', r.id),
    `<Filter>${filter}</Filter>`,
    el('Status', r.enabled ? 'Enabled' : 'Disabled'),
    expiration && `<Expiration>${expiration}</Expiration>`,
    r.noncurrentDays !== undefined
      ? `<NoncurrentVersionExpiration>${el('NoncurrentDays', r.noncurrentDays)}${optional('NewerNoncurrentVersions', r.newerNoncurrentVersions)}</NoncurrentVersionExpiration>`
      : '',
    r.abortDays !== undefined ? `<AbortIncompleteMultipartUpload>${el('DaysAfterInitiation', r.abortDays)}</AbortIncompleteMultipartUpload>` : '',
    '</Rule>',
  ].join('');
}

export async function getLifecycle(bucket: string): Promise<LifecycleRuleForm[]> {
  const root = await getXml(s3Path(bucket, undefined, 'lifecycle'), 'NoSuchLifecycleConfiguration');
  return root ? children(root, 'Rule').map(parseRule) : [];
}

/** Stores the rules; none deletes the configuration (S3 refuses an empty one). */
export async function putLifecycle(bucket: string, rules: LifecycleRuleForm[]): Promise<void> {
  if (rules.length === 0) {
    await call(s3Path(bucket, undefined, 'lifecycle'), { method: 'DELETE' });
    return;
  }
  await putXml(s3Path(bucket, undefined, 'lifecycle'), `<LifecycleConfiguration>${rules.map(ruleXml).join('')}</LifecycleConfiguration>`);
}

// ---- CORS ----

/** One CORS rule, in the JSON form `aws s3api put-bucket-cors` takes, so rules can be pasted either way. */
export interface CorsRule {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders?: string[];
  ExposeHeaders?: string[];
  MaxAgeSeconds?: number;
}

const values = (el: Element, name: string): string[] => children(el, name).map((c) => c.textContent ?? '');

export async function getCors(bucket: string): Promise<CorsRule[]> {
  const root = await getXml(s3Path(bucket, undefined, 'cors'), 'NoSuchCORSConfiguration');
  return (root ? children(root, 'CORSRule') : []).map((r) => {
    const rule: CorsRule = { AllowedOrigins: values(r, 'AllowedOrigin'), AllowedMethods: values(r, 'AllowedMethod') };
    if (text(r, 'ID')) rule.ID = text(r, 'ID');
    if (children(r, 'AllowedHeader').length) rule.AllowedHeaders = values(r, 'AllowedHeader');
    if (children(r, 'ExposeHeader').length) rule.ExposeHeaders = values(r, 'ExposeHeader');
    if (text(r, 'MaxAgeSeconds')) rule.MaxAgeSeconds = Number(text(r, 'MaxAgeSeconds'));
    return rule;
  });
}

/** Stores the rules; none deletes the configuration. */
export async function putCors(bucket: string, rules: CorsRule[]): Promise<void> {
  if (rules.length === 0) {
    await call(s3Path(bucket, undefined, 'cors'), { method: 'DELETE' });
    return;
  }
  const rule = (r: CorsRule): string =>
    [
      '<CORSRule>',
      optional('ID', r.ID),
      ...r.AllowedOrigins.map((v) => el('AllowedOrigin', v)),
      ...r.AllowedMethods.map((v) => el('AllowedMethod', v)),
      ...(r.AllowedHeaders ?? []).map((v) => el('AllowedHeader', v)),
      ...(r.ExposeHeaders ?? []).map((v) => el('ExposeHeader', v)),
      optional('MaxAgeSeconds', r.MaxAgeSeconds),
      '</CORSRule>',
    ].join('');
  await putXml(s3Path(bucket, undefined, 'cors'), `<CORSConfiguration>${rules.map(rule).join('')}</CORSConfiguration>`);
}
