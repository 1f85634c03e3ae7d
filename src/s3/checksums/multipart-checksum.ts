// Multipart integrity: the upload's checksum algorithm and type, the multipart ETag, and the object
// checksum derived from part checksums (COMPOSITE "base64-N" or FULL_OBJECT CRCs combined).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
import { createHash } from 'node:crypto';
import { S3Error } from '../../errors/s3-error.js';
import type { ChecksumAlgorithm, ChecksumType, PartRecord, StoredChecksum } from '../../storage/metadata-index.js';
import { CHECKSUM_ALGORITHMS } from './request.js';
import { combineCrc, type CrcAlgorithm } from './crc-combine.js';
import { newChecksum } from './body-digest.js';

const fullObjectCapable = new Set<ChecksumAlgorithm>(['CRC32', 'CRC32C', 'CRC64NVME']);
const compositeCapable = new Set<ChecksumAlgorithm>(['CRC32', 'CRC32C', 'SHA1', 'SHA256']);

export interface UploadChecksum {
  algorithm?: ChecksumAlgorithm;
  type?: ChecksumType;
}

/** x-amz-checksum-algorithm / x-amz-checksum-type on CreateMultipartUpload. */
export function uploadChecksumFrom(headers: Map<string, string>): UploadChecksum {
  const rawAlgorithm = headers.get('x-amz-checksum-algorithm')?.trim().toUpperCase();
  const rawType = headers.get('x-amz-checksum-type')?.trim().toUpperCase();
  if (rawAlgorithm === undefined) {
    if (rawType !== undefined) {
      throw new S3Error('InvalidRequest', { message: 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.' });
    }
    return {};
  }
  const algorithm = CHECKSUM_ALGORITHMS.find((a) => a === rawAlgorithm);
  if (algorithm === undefined) {
    throw new S3Error('InvalidRequest', { message: 'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]' });
  }
  if (rawType !== undefined && rawType !== 'COMPOSITE' && rawType !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', { message: 'Value for x-amz-checksum-type header is invalid.' });
  }
  const type: ChecksumType = (rawType as ChecksumType | undefined) ?? (algorithm === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE');
  const capable = type === 'FULL_OBJECT' ? fullObjectCapable : compositeCapable;
  if (!capable.has(algorithm)) {
    throw new S3Error('InvalidRequest', { message: `The ${type} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.` });
  }
  return { algorithm, type };
}

/** `"<hex md5 of the concatenated binary part MD5s>-<N>"` without quotes. */
export function multipartEtag(partEtags: string[]): string {
  const md5 = createHash('md5');
  for (const etag of partEtags) md5.update(Buffer.from(etag, 'hex'));
  return `${md5.digest('hex')}-${partEtags.length}`;
}

/** The single algorithm every part has a checksum for, preferring the upload's own. */
function commonAlgorithm(parts: PartRecord[], preferred: ChecksumAlgorithm | undefined): ChecksumAlgorithm | undefined {
  const candidates = preferred ? [preferred] : (['CRC64NVME', 'CRC32', 'CRC32C'] as ChecksumAlgorithm[]);
  return candidates.find((a) => parts.every((p) => p.checksums[a] !== undefined));
}

/**
 * The completed object's checksum. Without an upload algorithm the parts' server-computed CRC64NVME
 * values combine into a FULL_OBJECT CRC64NVME, as S3 stores for objects uploaded without a checksum.
 */
export async function objectChecksumFromParts(upload: UploadChecksum, parts: PartRecord[]): Promise<StoredChecksum | undefined> {
  const algorithm = commonAlgorithm(parts, upload.algorithm);
  if (algorithm === undefined || parts.length === 0) return undefined;
  const type: ChecksumType = upload.type ?? (fullObjectCapable.has(algorithm) ? 'FULL_OBJECT' : 'COMPOSITE');
  const values = parts.map((p) => Buffer.from(p.checksums[algorithm]!, 'base64'));
  if (type === 'COMPOSITE') {
    const outer = newChecksum(algorithm);
    for (const v of values) outer.update(v);
    return { algorithm, type, value: `${(await outer.digest()).toString('base64')}-${parts.length}` };
  }
  let combined: Buffer = values[0]!;
  for (let i = 1; i < parts.length; i++) combined = combineCrc(algorithm as CrcAlgorithm, combined, values[i]!, parts[i]!.blob.size);
  return { algorithm, type, value: combined.toString('base64') };
}
