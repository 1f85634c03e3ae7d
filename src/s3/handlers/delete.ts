// DeleteObject.
import { S3Error } from '../../errors.js';
import type { S3Context } from '../context.js';
import { validateObjectKey } from '../names.js';
import { emptyResponse, type S3Response } from '../respond.js';
import { deleteBlobs } from '../store-object.js';

export async function deleteObject(ctx: S3Context): Promise<S3Response> {
  validateObjectKey(ctx.key);
  const versionId = ctx.query.get('versionId');
  if (versionId !== null && versionId !== 'null') {
    throw new S3Error('InvalidArgument', { message: 'Invalid version id specified', fields: { ArgumentName: 'versionId', ArgumentValue: versionId } });
  }
  // S3 answers 204 whether or not the key existed.
  const orphans = await ctx.index.deleteObject(ctx.bucket, ctx.key);
  await deleteBlobs(ctx, orphans);
  return emptyResponse(204);
}
