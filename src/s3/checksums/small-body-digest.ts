// Small request bodies (XML configurations, DeleteObjects) that S3 requires to carry a digest.
import { createHash } from 'node:crypto';
import { S3Error } from '../../errors/s3-error.js';
import { newChecksum } from './body-digest.js';
import { requestedChecksums, verifyChecksums } from './request.js';
import type { S3Context } from '../context.js';

/**
 * The request must carry a digest of its body: Content-MD5 or any x-amz-checksum-* (current SDKs send
 * only the latter; refusing it broke every new SDK on other servers).
 */
export async function verifyBodyDigest(ctx: S3Context, body: Buffer, opts: { required: boolean } = { required: true }): Promise<void> {
  const request = requestedChecksums(ctx.headers);
  const hasChecksum = request.expected !== undefined || request.fromTrailer !== undefined;
  if (request.contentMd5 === undefined && !hasChecksum) {
    if (!opts.required) return;
    throw new S3Error('MissingContentMD5');
  }
  const checksum = newChecksum(request.algorithm);
  checksum.update(body);
  verifyChecksums(request, { md5Base64: createHash('md5').update(body).digest('base64'), checksum: (await checksum.digest()).toString('base64') }, ctx.trailers());
}
