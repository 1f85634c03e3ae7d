// One key's versions and delete markers, and each version's retention and legal hold, through the S3 API.
import { call } from './api';
import { children, getXml, putXml, s3Path, text } from './s3';
import type { RetentionMode } from './s3-bucket-features';

export interface VersionEntry {
  versionId: string;
  isLatest: boolean;
  lastModified: string;
  deleteMarker: boolean;
  size: number;
  etag: string;
}

const versionQuery = (versionId: string, sub = ''): string => `${sub ? `${sub}&` : ''}versionId=${encodeURIComponent(versionId)}`;

/** Every version and delete marker of exactly `key`, newest first. */
export async function listKeyVersions(bucket: string, key: string): Promise<VersionEntry[]> {
  const out: VersionEntry[] = [];
  let keyMarker = '';
  let versionMarker = '';
  for (;;) {
    const q = new URLSearchParams({ versions: '', prefix: key, 'max-keys': '1000' });
    if (keyMarker) q.set('key-marker', keyMarker);
    if (versionMarker) q.set('version-id-marker', versionMarker);
    const root = (await getXml(s3Path(bucket, undefined, q.toString())))!;
    for (const v of [...root.children]) {
      if ((v.localName !== 'Version' && v.localName !== 'DeleteMarker') || text(v, 'Key') !== key) continue;
      out.push({
        versionId: text(v, 'VersionId'),
        isLatest: text(v, 'IsLatest') === 'true',
        lastModified: text(v, 'LastModified'),
        deleteMarker: v.localName === 'DeleteMarker',
        size: Number(text(v, 'Size') || 0),
        etag: text(v, 'ETag'),
      });
    }
    // Keys sort after `key` once its versions are listed: stop there.
    const next = text(root, 'NextKeyMarker');
    if (text(root, 'IsTruncated') !== 'true' || next !== key) return out;
    keyMarker = next;
    versionMarker = text(root, 'NextVersionIdMarker');
  }
}

/** The console path that downloads one version. */
export const versionPath = (bucket: string, key: string, versionId: string): string => s3Path(bucket, key, versionQuery(versionId));

export async function deleteVersion(bucket: string, key: string, versionId: string, bypassGovernance = false): Promise<void> {
  await call(versionPath(bucket, key, versionId), { method: 'DELETE', headers: bypassGovernance ? { 'x-amz-bypass-governance-retention': 'true' } : {} });
}

/** Makes an older version current again: copies it onto its own key, as S3 recommends. */
export async function restoreVersion(bucket: string, key: string, versionId: string): Promise<void> {
  const source = `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}?versionId=${encodeURIComponent(versionId)}`;
  await call(s3Path(bucket, key), { method: 'PUT', headers: { 'x-amz-copy-source': source } });
}

export interface Retention {
  mode: RetentionMode;
  /** ISO 8601. */
  retainUntil: string;
}

export async function getRetention(bucket: string, key: string, versionId: string): Promise<Retention | undefined> {
  const root = await getXml(s3Path(bucket, key, versionQuery(versionId, 'retention')), 'NoSuchObjectLockConfiguration');
  if (root === undefined || !text(root, 'Mode')) return undefined;
  return { mode: text(root, 'Mode') as RetentionMode, retainUntil: text(root, 'RetainUntilDate') };
}

/** Sets or extends a version's retention; shortening GOVERNANCE retention needs `bypassGovernance` (and the right to it). */
export async function putRetention(bucket: string, key: string, versionId: string, retention: Retention, bypassGovernance: boolean): Promise<void> {
  const body = `<Retention><Mode>${retention.mode}</Mode><RetainUntilDate>${retention.retainUntil}</RetainUntilDate></Retention>`;
  await putXml(s3Path(bucket, key, versionQuery(versionId, 'retention')), body, bypassGovernance ? { 'x-amz-bypass-governance-retention': 'true' } : {});
}

export async function getLegalHold(bucket: string, key: string, versionId: string): Promise<boolean> {
  const root = await getXml(s3Path(bucket, key, versionQuery(versionId, 'legal-hold')), 'NoSuchObjectLockConfiguration');
  return root !== undefined && children(root, 'Status')[0]?.textContent === 'ON';
}

export async function putLegalHold(bucket: string, key: string, versionId: string, on: boolean): Promise<void> {
  await putXml(s3Path(bucket, key, versionQuery(versionId, 'legal-hold')), `<LegalHold><Status>${on ? 'ON' : 'OFF'}</Status></LegalHold>`);
}
