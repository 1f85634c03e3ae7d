// A key's versions as an operator sees them, and restoring an older one: a server-side copy that makes its
// bytes current again as a new version (nothing is deleted, so Object Lock has nothing to refuse). The new version
// is owned as the version a CopyObject by the caller would be: by the bucket's Object Ownership, with the private
// ACL (S3 never copies an ACL), not by whoever wrote the old one.
import { parseJsonObject, requiredString } from '../input.js';
import { AdminError } from '../errors.js';
import { ok, type AdminCall, type AdminResult } from '../route.js';
import type { KeyVersionsView, RestoreView, VersionView } from '../types.js';
import { mustBucket } from './lookup.js';
import { newObjectOwner } from '../../access/object-ownership.js';
import type { VersionSummary } from '../../storage/metadata-index.js';
import { mintVersionId } from '../../storage/new-version-id.js';

function versionView(v: VersionSummary): VersionView {
  return {
    versionId: v.versionId,
    isLatest: v.isLatest,
    deleteMarker: v.deleteMarker,
    lastModified: v.lastModified.toISOString(),
    size: v.size,
    etag: v.etag,
    retention: v.retention ? { mode: v.retention.mode, retainUntil: v.retention.retainUntil.toISOString() } : null,
    legalHold: v.legalHold ?? false,
  };
}

export async function listKeyVersions({ deps, params }: AdminCall): Promise<AdminResult> {
  const bucket = await mustBucket(deps.index, params.name!);
  const key = params.key!;
  const versions: VersionView[] = [];
  let keyMarker = '';
  let versionIdMarker = '';
  for (;;) {
    const page = await deps.index.listVersions({ bucket: bucket.name, prefix: key, delimiter: '', keyMarker, versionIdMarker, maxKeys: 1000 });
    const mine = page.versions.filter((v) => v.key === key);
    versions.push(...mine.map(versionView));
    // Keys after this one (key + suffix) sort after all of its versions: stop at the first.
    if (!page.isTruncated || mine.length < page.versions.length) break;
    keyMarker = page.nextKeyMarker ?? '';
    versionIdMarker = page.nextVersionIdMarker ?? '';
  }
  const view: KeyVersionsView = { bucket: bucket.name, key, versions };
  return ok(view);
}

export async function restoreVersion({ deps, params, body, principal }: AdminCall): Promise<AdminResult> {
  const bucket = await mustBucket(deps.index, params.name!);
  const key = params.key!;
  const versionId = requiredString(parseJsonObject(body, ['versionId']), 'versionId');
  if (bucket.versioning === 'Unversioned') {
    throw new AdminError(409, 'InvalidBucketState', `Bucket ${bucket.name} is not versioned: there is no older version to restore.`);
  }
  const source = await deps.index.getObject(bucket.name, key, versionId);
  if (source === undefined) throw new AdminError(404, 'NoSuchVersion', `Key ${key} has no version ${versionId}.`);
  if (source.deleteMarker) throw new AdminError(409, 'InvalidRequest', `Version ${versionId} of ${key} is a delete marker.`);
  const newId = mintVersionId(bucket);
  const owner = newObjectOwner(bucket, principal.userId, undefined);
  const { record, orphans } = await deps.index.copyObject(
    { bucket: bucket.name, key, versionId },
    () => undefined,
    (src) => {
      // The copy shares the source's blobs; it starts without the source's lock or quarantine mark.
      const { retention: _retention, legalHold: _legalHold, quarantined: _quarantined, ...rest } = src;
      return { ...rest, versionId: newId, lastModified: new Date(), deleteMarker: false, owner, acl: 'private' };
    },
  );
  // A suspended bucket's restore replaces the null version; its bytes may now be unreferenced.
  if (orphans.length > 0 && deps.deleteBlobs) await deps.deleteBlobs(orphans);
  const view: RestoreView = { bucket: bucket.name, key, restoredFrom: versionId, versionId: record.versionId };
  return ok(view);
}
