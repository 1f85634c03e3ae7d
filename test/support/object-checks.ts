// Expected ETags and checksums computed locally, and small SDK helpers to look at what a client left on the server.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { s3Error } from './s3-error.js';

export const MiB = 1024 * 1024;

export const md5hex = (b: Buffer | string): string => createHash('md5').update(b).digest('hex');

function slices(data: Buffer, partSize: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += partSize) parts.push(data.subarray(i, i + partSize));
  return parts;
}

/** The quoted ETag S3 gives an object completed from `data` cut into parts of `partSize` bytes. */
export function multipartEtag(data: Buffer, partSize: number): string {
  const parts = slices(data, partSize);
  const digests = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `"${createHash('md5').update(digests).digest('hex')}-${parts.length}"`;
}

const crc32Bytes = (b: Buffer): Buffer => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out;
};

/** Base64 CRC32 of `data`, as in x-amz-checksum-crc32. */
export const crc32b64 = (data: Buffer): string => crc32Bytes(data).toString('base64');

/** The COMPOSITE CRC32 of a multipart object: CRC32 of the parts' CRC32s, then `-N`. */
export function compositeCrc32(data: Buffer, partSize: number): string {
  const parts = slices(data, partSize);
  return `${crc32Bytes(Buffer.concat(parts.map(crc32Bytes))).toString('base64')}-${parts.length}`;
}

/** Base64 CRC64/NVME of `data`, as in x-amz-checksum-crc64nvme. */
export async function crc64nvmeB64(data: Buffer): Promise<string> {
  const c = new Crc64Nvme();
  c.update(data);
  return Buffer.from(await c.digest()).toString('base64');
}

/** Every key under `prefix` with its size, in listing order (all pages). */
export async function listSizes(s3: S3Client, bucket: string, prefix = ''): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
    for (const o of page.Contents ?? []) out.set(o.Key!, o.Size!);
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return out;
}

/** The object's bytes. */
export async function objectBytes(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

/** HeadObject with checksums. */
export const head = (s3: S3Client, bucket: string, key: string): Promise<HeadObjectCommandOutput> =>
  s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));

/** The error name and status HeadObject fails with, e.g. { name: 'NotFound', status: 404 } for a missing key. */
export async function headError(s3: S3Client, bucket: string, key: string): Promise<{ name: string; status?: number }> {
  const { name, status } = await s3Error(head(s3, bucket, key));
  return { name, status };
}
