// Human-readable renderings of the admin API's documents.
import type {
  AccessKeyView, BucketView, InfoView, KeyVersionsView, LifecyclePreviewView, MasterKeyView, NewAccessKeyView, QuotaView, UserSummaryView, UserView,
} from '../types.js';
import { formatBytes } from './sizes.js';
import { fields, table } from './table.js';

export function quotaText(quota: QuotaView | null): string {
  if (quota === null) return 'none';
  const parts: string[] = [];
  if (quota.maxBytes !== undefined) parts.push(`${formatBytes(quota.maxBytes)} (${quota.maxBytes} bytes)`);
  if (quota.maxObjects !== undefined) parts.push(`${quota.maxObjects} objects`);
  return parts.join(', ');
}

function shortQuota(quota: QuotaView | null): string {
  if (quota === null) return '-';
  const parts: string[] = [];
  if (quota.maxBytes !== undefined) parts.push(formatBytes(quota.maxBytes));
  if (quota.maxObjects !== undefined) parts.push(`${quota.maxObjects} obj`);
  return parts.join(' / ');
}

const day = (iso: string): string => iso.slice(0, 19).replace('T', ' ');

export function renderInfo(info: InfoView): string {
  return fields([
    ['version', info.version],
    ['region', info.region],
    ['uptime', `${info.uptimeSeconds} s`],
    ['buckets', String(info.buckets)],
    ['objects', String(info.objects)],
    ['stored', `${formatBytes(info.bytes)} (${info.bytes} bytes)`],
    ['users', String(info.users)],
  ]);
}

export function renderUsers(users: UserSummaryView[]): string {
  if (users.length === 0) return 'no users\n';
  return table(
    ['NAME', 'STATUS', 'POLICY', 'KEYS', 'OBJECTS', 'STORED', 'QUOTA', 'CREATED'],
    users.map((u) => [u.name, u.disabled ? 'disabled' : 'enabled', u.hasPolicy ? 'yes' : 'no', String(u.accessKeys), String(u.usage.objects), formatBytes(u.usage.bytes), shortQuota(u.quota), day(u.createdAt)]),
  );
}

export function renderKeys(keys: AccessKeyView[]): string {
  if (keys.length === 0) return 'no access keys\n';
  return table(['ACCESS KEY ID', 'USER', 'STATUS', 'CREATED'], keys.map((k) => [k.accessKeyId, k.userName, k.status, day(k.createdAt)]));
}

export function renderUser(user: UserView): string {
  const head = fields([
    ['user', user.name],
    ['status', user.disabled ? 'disabled' : 'enabled'],
    ['created', day(user.createdAt)],
    ['policy', user.policy === null ? 'none' : 'attached (sklad admin user policy get ' + user.name + ')'],
    ['quota', quotaText(user.quota)],
    ['objects', String(user.usage.objects)],
    ['stored', `${formatBytes(user.usage.bytes)} (${user.usage.bytes} bytes)`],
  ]);
  return head + '\n' + renderKeys(user.accessKeys);
}

export function renderNewKey(key: NewAccessKeyView): string {
  const pairs: [string, string][] = [
    ['user', key.userName],
    ['access key id', key.accessKeyId],
    ['secret key', key.secretKey],
    ['status', key.status],
  ];
  if (key.replaces !== undefined) pairs.push(['replaces', `${key.replaces} (now Inactive)`]);
  return fields(pairs) + '\nThe secret key is shown only now: store it safely.\n';
}

export function renderBuckets(buckets: BucketView[]): string {
  if (buckets.length === 0) return 'no buckets\n';
  return table(
    ['NAME', 'OWNER', 'OBJECTS', 'STORED', 'QUOTA', 'CREATED'],
    buckets.map((b) => [b.name, b.owner, String(b.usage.objects), formatBytes(b.usage.bytes), shortQuota(b.quota), day(b.createdAt)]),
  );
}

export function renderBucket(bucket: BucketView): string {
  return fields([
    ['bucket', bucket.name],
    ['owner', bucket.owner],
    ['created', day(bucket.createdAt)],
    ['quota', quotaText(bucket.quota)],
    ['versioning', bucket.versioning],
    ['object lock', lockText(bucket.objectLock)],
    ['objects', `${bucket.usage.objects} (every stored version)`],
    ['stored', `${formatBytes(bucket.usage.bytes)} (${bucket.usage.bytes} bytes)`],
  ]);
}

export function renderLifecyclePreview(p: LifecyclePreviewView): string {
  const rules = p.rules.length === 0 ? 'none' : p.rules.map((r) => `${r.id}${r.enabled ? '' : ' (disabled)'}`).join(', ');
  const head = fields([
    ['bucket', p.bucket],
    ['rules', rules],
    ['until', day(p.until)],
    ['objects', `${p.totals.objects} (${formatBytes(p.totals.bytes)})`],
    ['uploads', String(p.totals.uploads)],
  ]);
  const objects = table(['KEY', 'VERSION', 'ACTION', 'FREES', 'RULE', 'DUE'], p.objects.map((o) => [o.key, o.versionId, o.action, formatBytes(o.size), o.rule, day(o.due)]));
  const uploads = table(['UPLOAD KEY', 'UPLOAD ID', 'RULE', 'DUE'], p.uploads.map((u) => [u.key, u.uploadId, u.rule, day(u.due)]));
  const more = p.truncated ? 'more are due than listed here; the totals above count all\n' : '';
  return [head, objects, uploads, more].filter((s) => s !== '').join('\n');
}

function lockText(lock: BucketView['objectLock']): string {
  if (lock === null) return 'off';
  const retention = lock.defaultRetention;
  if (retention === null) return 'on, no default retention';
  return `on, default ${retention.mode} ${retention.days !== undefined ? `${retention.days} days` : `${retention.years} years`}`;
}

export function renderKeyVersions(doc: KeyVersionsView): string {
  if (doc.versions.length === 0) return `no versions of ${doc.key}\n`;
  return table(
    ['VERSION', 'LATEST', 'KIND', 'SIZE', 'MODIFIED', 'LOCK'],
    doc.versions.map((v) => [
      v.versionId,
      v.isLatest ? 'yes' : '',
      v.deleteMarker ? 'delete marker' : 'object',
      v.deleteMarker ? '' : formatBytes(v.size),
      v.lastModified,
      [v.retention ? `${v.retention.mode} until ${v.retention.retainUntil}` : '', v.legalHold ? 'legal hold' : ''].filter(Boolean).join(', '),
    ]),
  );
}

export function renderMasterKey(view: MasterKeyView): string {
  const ids = [...new Set([...view.heldKeyIds, ...Object.keys(view.dataKeys), ...Object.keys(view.accessKeySecrets)])];
  const state = (id: string): string =>
    id === view.currentKeyId ? 'current' : view.missing.includes(id) ? 'MISSING' : view.retirable.includes(id) ? 'retirable' : 'retired, in use';
  return table(
    ['KEY ID', 'STATE', 'DATA KEYS', 'SECRETS'],
    ids.map((id) => [id, state(id), String(view.dataKeys[id] ?? 0), String(view.accessKeySecrets[id] ?? 0)]),
  );
}
