// DeleteObject and DeleteObjects.
import { S3Error } from '../../errors/s3-error.js';
import { decodeXml, listOf, textOf } from '../../xml/decode.js';
import type { DeleteResult } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../body-digest.js';
import type { S3Context } from '../context.js';
import { validateObjectKey } from '../names.js';
import { emptyResponse, xmlResponse, type OutcomeValue, type S3Response } from '../respond.js';
import { requireNullVersion } from '../request-params.js';
import { deleteBlobs } from '../store-object.js';

export async function deleteObject(ctx: S3Context): Promise<S3Response> {
  validateObjectKey(ctx.key);
  requireNullVersion(ctx.query.get('versionId'));
  // S3 answers 204 whether or not the key existed.
  const orphans = await ctx.index.deleteObject(ctx.bucket, ctx.key);
  await deleteBlobs(ctx, orphans);
  return emptyResponse(204);
}

const MAX_DELETE_KEYS = 1000;

interface DeleteRequest {
  quiet: boolean;
  keys: { key: string; versionId?: string }[];
}

function parseDeleteRequest(body: Buffer): DeleteRequest {
  const doc = decodeXml(body.toString('utf8'), 'Delete');
  const keys = listOf(doc.Object).map((o) => {
    const key = textOf(o.Key);
    if (key === undefined) throw new S3Error('MalformedXML');
    return { key, versionId: textOf(o.VersionId) };
  });
  if (keys.length === 0 || keys.length > MAX_DELETE_KEYS) throw new S3Error('MalformedXML');
  return { quiet: textOf(doc.Quiet)?.toLowerCase() === 'true', keys };
}

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
  const result: DeleteResult = { Deleted: [], Error: [] };
  const account = new DeleteAccount();
  for (const { key, versionId } of request.keys) {
    try {
      validateObjectKey(key);
      // Each key is authorized on its own, so a policy scoped to a prefix denies only the keys outside it.
      await ctx.access.require('s3:DeleteObject', ctx.bucket, key);
      if (versionId !== undefined && versionId !== 'null') {
        throw new S3Error('NoSuchVersion', { message: 'The specified version does not exist.' });
      }
      await deleteBlobs(ctx, await ctx.index.deleteObject(ctx.bucket, key));
      account.add(key, versionId, undefined);
      if (!request.quiet) result.Deleted.push({ Key: key, ...(versionId ? { VersionId: versionId } : {}) });
    } catch (e) {
      if (!(e instanceof S3Error) || e.status >= 500) throw e;
      account.add(key, versionId, e.code);
      result.Error.push({ Key: key, ...(versionId ? { VersionId: versionId } : {}), Code: e.code, Message: e.message });
    }
  }
  return { ...xmlResponse('DeleteResult', result), outcome: account.outcome() };
}
