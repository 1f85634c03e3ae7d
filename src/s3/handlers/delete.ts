// DeleteObject and DeleteObjects: for good in unversioned buckets, a delete marker in versioned ones, and one
// version for good when a version id is named (Object Lock permitting).
import { S3Error } from '../../errors/s3-error.js';
import type { WriteCondition } from '../../storage/metadata-index.js';
import { decodeXml, listOf, textOf } from '../../xml/decode.js';
import type { DeleteResult } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../checksums/small-body-digest.js';
import type { S3Context } from '../context.js';
import { validateObjectKey } from '../names.js';
import { mintDeleteMarker } from '../new-version.js';
import { lockOverride } from '../object-lock-request.js';
import { emptyResponse, xmlResponse, type OutcomeValue, type S3Response } from '../respond.js';
import { deleteBlobs } from '../store-object.js';
import { parseVersionId } from '../versions.js';
import { deleteCondition, deleteConditionFrom } from '../write-conditions.js';

/** What one delete did, as DeleteObject's headers and DeleteObjects' <Deleted> report it. */
interface DeleteOutcome {
  /** The version removed, or the delete marker written. */
  versionId?: string;
  /** A delete marker was written, or the version removed was one. */
  deleteMarker: boolean;
}

async function deleteOne(ctx: S3Context, key: string, versionId: string | undefined, condition: WriteCondition | undefined): Promise<DeleteOutcome> {
  if (versionId !== undefined) {
    const { removed, orphans } = await ctx.index.deleteVersion(ctx.bucket, key, versionId, await lockOverride(ctx, key), condition);
    await deleteBlobs(ctx, orphans);
    return { versionId, deleteMarker: removed?.deleteMarker ?? false };
  }
  if ((ctx.bucketRecord?.versioning ?? 'Unversioned') === 'Unversioned') {
    await deleteBlobs(ctx, await ctx.index.deleteObject(ctx.bucket, key, condition));
    return { deleteMarker: false };
  }
  // Versioned: a delete marker becomes current (a suspended bucket's replaces the null version).
  const marker = mintDeleteMarker(ctx, key);
  await deleteBlobs(ctx, await ctx.index.putObject(marker, condition));
  return { versionId: marker.versionId, deleteMarker: true };
}

export async function deleteObject(ctx: S3Context): Promise<S3Response> {
  validateObjectKey(ctx.key);
  const versionId = parseVersionId(ctx.query.get('versionId'));
  const outcome = await deleteOne(ctx, ctx.key, versionId, deleteConditionFrom(ctx.headers));
  // S3 answers 204 whether or not the key existed.
  return emptyResponse(204, {
    ...(outcome.versionId !== undefined ? { 'x-amz-version-id': outcome.versionId } : {}),
    ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
  });
}

const MAX_DELETE_KEYS = 1000;

interface DeleteEntry {
  key: string;
  versionId?: string;
  /** As sent, for the result. */
  rawVersionId?: string;
  condition?: { ifMatch?: string; lastModifiedTime?: string; size?: string };
}

interface DeleteRequest {
  quiet: boolean;
  entries: DeleteEntry[];
}

function parseDeleteRequest(body: Buffer): DeleteRequest {
  const doc = decodeXml(body.toString('utf8'), 'Delete');
  const entries = listOf(doc.Object).map((o): DeleteEntry => {
    const key = textOf(o.Key);
    if (key === undefined) throw new S3Error('MalformedXML');
    return {
      key,
      rawVersionId: textOf(o.VersionId),
      condition: { ifMatch: textOf(o.ETag), lastModifiedTime: textOf(o.LastModifiedTime), size: textOf(o.Size) },
    };
  });
  if (entries.length === 0 || entries.length > MAX_DELETE_KEYS) throw new S3Error('MalformedXML');
  return { quiet: textOf(doc.Quiet)?.toLowerCase() === 'true', entries };
}

const ENTRY_CONDITION_NAMES = { lastModifiedTime: 'LastModifiedTime', size: 'Size' };

/**
 * The audit account of a DeleteObjects: each key with its result, in request order. Keys count against a
 * byte budget so one record stays small (1000 keys of 1 KiB each would make a 1 MiB line); past it only the
 * totals say what happened to the rest.
 */
const AUDITED_KEY_BYTES = 64 * 1024;

class DeleteAccount {
  private readonly keys: OutcomeValue[] = [];
  private bytes = 0;
  private deleted = 0;
  private failed = 0;
  private omitted = 0;

  add(key: string, versionId: string | undefined, code: string | undefined): void {
    if (code === undefined) this.deleted++;
    else this.failed++;
    this.bytes += Buffer.byteLength(key);
    if (this.bytes > AUDITED_KEY_BYTES) {
      this.omitted++;
      return;
    }
    this.keys.push({
      key,
      ...(versionId !== undefined ? { versionId } : {}),
      ...(code === undefined ? { result: 'deleted' } : { result: 'error', code }),
    });
  }

  outcome(): { [key: string]: OutcomeValue } {
    return { deleted: this.deleted, errors: this.failed, keys: this.keys, ...(this.omitted > 0 ? { keysOmitted: this.omitted } : {}) };
  }
}

export async function deleteObjects(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body);
  const request = parseDeleteRequest(body);
  // Every key's delete is issued at once: the index commits them together (SQLite's group commit) or side by
  // side (PostgreSQL's transactions), instead of one durable commit after another.
  const outcomes = await Promise.all(request.entries.map(async ({ key, rawVersionId, condition }) => {
    try {
      validateObjectKey(key);
      const versionId = parseVersionId(rawVersionId);
      // Each key is authorized on its own, so a policy scoped to a prefix denies only the keys outside it.
      await ctx.access.require(versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion', ctx.bucket, key);
      return { outcome: await deleteOne(ctx, key, versionId, condition && deleteCondition(condition, ENTRY_CONDITION_NAMES)), versionId };
    } catch (e) {
      if (!(e instanceof S3Error) || e.status >= 500) throw e;
      return { error: e, versionId: undefined };
    }
  }));
  const result: DeleteResult = { Deleted: [], Error: [] };
  const account = new DeleteAccount();
  request.entries.forEach(({ key, rawVersionId }, i) => {
    const done = outcomes[i]!;
    const echo = rawVersionId !== undefined ? { VersionId: rawVersionId } : {};
    account.add(key, rawVersionId, 'error' in done ? done.error?.code : undefined);
    if ('error' in done && done.error !== undefined) {
      result.Error.push({ Key: key, ...echo, Code: done.error.code, Message: done.error.message });
    } else if (request.quiet || !('outcome' in done)) {
      return;
    } else if (done.versionId !== undefined) {
      result.Deleted.push({ Key: key, ...echo, ...(done.outcome.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: done.versionId } : {}) });
    } else if (done.outcome.deleteMarker) {
      result.Deleted.push({ Key: key, DeleteMarker: true, DeleteMarkerVersionId: done.outcome.versionId });
    } else {
      result.Deleted.push({ Key: key });
    }
  });
  return { ...xmlResponse('DeleteResult', result), outcome: account.outcome() };
}
