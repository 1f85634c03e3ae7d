// DeleteObject and DeleteObjects.
import { S3Error } from '../../errors/s3-error.js';
import { decodeXml, listOf, textOf } from '../../xml/decode.js';
import type { DeleteResult } from '../../xml/shapes.js';
import { verifyBodyDigest } from '../body-digest.js';
import type { S3Context } from '../context.js';
import { validateObjectKey } from '../names.js';
import { emptyResponse, xmlResponse, type S3Response } from '../respond.js';
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

export async function deleteObjects(ctx: S3Context): Promise<S3Response> {
  const body = await ctx.readSmallBody();
  await verifyBodyDigest(ctx, body);
  const request = parseDeleteRequest(body);
  const result: DeleteResult = { Deleted: [], Error: [] };
  for (const { key, versionId } of request.keys) {
    try {
      validateObjectKey(key);
      // Each key is authorized on its own, so a policy scoped to a prefix denies only the keys outside it.
      await ctx.access.require('s3:DeleteObject', ctx.bucket, key);
      if (versionId !== undefined && versionId !== 'null') {
        throw new S3Error('NoSuchVersion', { message: 'The specified version does not exist.' });
      }
      await deleteBlobs(ctx, await ctx.index.deleteObject(ctx.bucket, key));
      if (!request.quiet) result.Deleted.push({ Key: key, ...(versionId ? { VersionId: versionId } : {}) });
    } catch (e) {
      if (!(e instanceof S3Error) || e.status >= 500) throw e;
      result.Error.push({ Key: key, ...(versionId ? { VersionId: versionId } : {}), Code: e.code, Message: e.message });
    }
  }
  return xmlResponse('DeleteResult', result);
}
