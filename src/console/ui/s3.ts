// S3 requests through the console API (the server runs them as the signed-in principal), and the XML they speak.
import { call } from './api';

/** An S3 path below the console API: bucket and key segments percent-encoded, `/` kept between key segments. */
export function s3Path(bucket: string, key?: string, query = ''): string {
  const path = key === undefined ? `/s3/${encodeURIComponent(bucket)}` : `/s3/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  return query === '' ? path : `${path}?${query}`;
}

export function xml(text: string): Document {
  return new DOMParser().parseFromString(text, 'application/xml');
}

export const text = (el: Element, name: string): string => el.getElementsByTagName(name)[0]?.textContent ?? '';

export function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

export interface BucketEntry {
  name: string;
  createdAt: string;
}

export async function listBuckets(): Promise<BucketEntry[]> {
  const doc = xml(await (await call('/s3/')).text());
  return [...doc.getElementsByTagName('Bucket')].map((b) => ({ name: text(b, 'Name'), createdAt: text(b, 'CreationDate') }));
}

/** With `objectLock`, the bucket is created with Object Lock enabled (and so versioned), as S3 allows only then. */
export async function createBucket(name: string, objectLock = false): Promise<void> {
  await call(s3Path(name), { method: 'PUT', headers: objectLock ? { 'x-amz-bucket-object-lock-enabled': 'true' } : {} });
}

const CRC32_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/**
 * The x-amz-checksum-crc32 of a body: S3 requires a digest on several configuration documents, and Web Crypto
 * (SHA-256) exists only on secure origins, so the console computes a CRC32 itself.
 */
export function crc32Header(body: string): string {
  let crc = 0xffffffff;
  for (const byte of new TextEncoder().encode(body)) crc = CRC32_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  crc = (crc ^ 0xffffffff) >>> 0;
  return btoa(String.fromCharCode(crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff));
}

/** A PUT or POST of an XML document to a sub-resource, with the body's digest. */
export async function putXml(path: string, body: string, headers: Record<string, string> = {}, method = 'PUT'): Promise<Response> {
  return call(path, { method, body, headers: { 'content-type': 'application/xml', 'x-amz-checksum-crc32': crc32Header(body), ...headers } });
}

/** GET of an XML sub-resource; undefined when the server answers with `absentCode` (no such configuration). */
export async function getXml(path: string, absentCode?: string): Promise<Element | undefined> {
  try {
    return xml(await (await call(path)).text()).documentElement;
  } catch (e) {
    if (absentCode !== undefined && (e as { code?: string }).code === absentCode) return undefined;
    throw e;
  }
}

/** The direct children of `el` named `name` (getElementsByTagName would also find nested ones). */
export const children = (el: Element, name: string): Element[] => [...el.children].filter((c) => c.localName === name);

export async function deleteBucket(name: string): Promise<void> {
  await call(s3Path(name), { method: 'DELETE' });
}

export interface ObjectEntry {
  key: string;
  size: number;
  lastModified: string;
  etag: string;
}

export interface Listing {
  prefixes: string[];
  objects: ObjectEntry[];
  nextToken?: string;
}

export async function listObjects(bucket: string, prefix: string, token?: string, pageSize = 200): Promise<Listing> {
  const q = new URLSearchParams({ 'list-type': '2', delimiter: '/', prefix, 'max-keys': String(pageSize) });
  if (token) q.set('continuation-token', token);
  const doc = xml(await (await call(s3Path(bucket, undefined, q.toString()))).text());
  const root = doc.documentElement;
  return {
    prefixes: [...root.getElementsByTagName('CommonPrefixes')].map((p) => text(p, 'Prefix')),
    objects: [...root.getElementsByTagName('Contents')].map((c) => ({
      key: text(c, 'Key'),
      size: Number(text(c, 'Size')),
      lastModified: text(c, 'LastModified'),
      etag: text(c, 'ETag'),
    })),
    nextToken: text(root, 'IsTruncated') === 'true' ? text(root, 'NextContinuationToken') : undefined,
  };
}

export async function deleteObjects(bucket: string, keys: string[]): Promise<string[]> {
  const failed: string[] = [];
  // DeleteObjects takes at most 1000 keys per request.
  for (let i = 0; i < keys.length; i += 1000) {
    const body = `<Delete><Quiet>true</Quiet>${keys.slice(i, i + 1000).map((k) => `<Object><Key>${escapeXml(k)}</Key></Object>`).join('')}</Delete>`;
    const doc = xml(await (await putXml(s3Path(bucket, undefined, 'delete'), body, {}, 'POST')).text());
    for (const e of doc.getElementsByTagName('Error')) failed.push(text(e, 'Key'));
  }
  return failed;
}

export interface ObjectHead {
  contentType: string;
  size: number;
  lastModified: string;
  etag: string;
  metadata: [string, string][];
  checksums: [string, string][];
}

export async function headObject(bucket: string, key: string): Promise<ObjectHead> {
  const res = await call(s3Path(bucket, key), { method: 'HEAD', headers: { 'x-amz-checksum-mode': 'ENABLED' } });
  const metadata: [string, string][] = [];
  const checksums: [string, string][] = [];
  res.headers.forEach((value, name) => {
    if (name.startsWith('x-amz-meta-')) metadata.push([name.slice('x-amz-meta-'.length), value]);
    if (name.startsWith('x-amz-checksum-') && name !== 'x-amz-checksum-type') checksums.push([name.slice('x-amz-checksum-'.length).toUpperCase(), value]);
  });
  return {
    contentType: res.headers.get('content-type') ?? '',
    size: Number(res.headers.get('content-length') ?? 0),
    lastModified: res.headers.get('last-modified') ?? '',
    etag: res.headers.get('etag') ?? '',
    metadata,
    checksums,
  };
}

export async function getObjectTags(bucket: string, key: string): Promise<[string, string][]> {
  const doc = xml(await (await call(s3Path(bucket, key, 'tagging'))).text());
  return [...doc.getElementsByTagName('Tag')].map((t) => [text(t, 'Key'), text(t, 'Value')]);
}

export async function putObjectTags(bucket: string, key: string, tags: [string, string][]): Promise<void> {
  const body = `<Tagging><TagSet>${tags.map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`).join('')}</TagSet></Tagging>`;
  await putXml(s3Path(bucket, key, 'tagging'), body);
}

/** The first bytes of an object, for previews. */
export async function getObjectBytes(bucket: string, key: string, maxBytes: number): Promise<Blob> {
  const res = await call(s3Path(bucket, key), { headers: { range: `bytes=0-${maxBytes - 1}` } });
  return res.blob();
}

export async function getBucketPolicy(bucket: string): Promise<string | undefined> {
  try {
    return await (await call(s3Path(bucket, undefined, 'policy'))).text();
  } catch (e) {
    if ((e as { code?: string }).code === 'NoSuchBucketPolicy') return undefined;
    throw e;
  }
}

export async function putBucketPolicy(bucket: string, policy: string): Promise<void> {
  await call(s3Path(bucket, undefined, 'policy'), { method: 'PUT', body: policy, headers: { 'content-type': 'application/json' } });
}

export async function deleteBucketPolicy(bucket: string): Promise<void> {
  await call(s3Path(bucket, undefined, 'policy'), { method: 'DELETE' });
}

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}
export const PAB_FIELDS = ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets'] as const;

export async function getPublicAccessBlock(bucket: string): Promise<PublicAccessBlock> {
  try {
    const doc = xml(await (await call(s3Path(bucket, undefined, 'publicAccessBlock'))).text());
    const root = doc.documentElement;
    return Object.fromEntries(PAB_FIELDS.map((f) => [f, text(root, f) === 'true'])) as unknown as PublicAccessBlock;
  } catch (e) {
    if ((e as { code?: string }).code === 'NoSuchPublicAccessBlockConfiguration') {
      return { BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false };
    }
    throw e;
  }
}

export async function putPublicAccessBlock(bucket: string, pab: PublicAccessBlock): Promise<void> {
  const body = `<PublicAccessBlockConfiguration>${PAB_FIELDS.map((f) => `<${f}>${pab[f]}</${f}>`).join('')}</PublicAccessBlockConfiguration>`;
  await putXml(s3Path(bucket, undefined, 'publicAccessBlock'), body);
}

/** The default encryption algorithm, or undefined when none is configured. */
export async function getBucketEncryption(bucket: string): Promise<string | undefined> {
  try {
    const doc = xml(await (await call(s3Path(bucket, undefined, 'encryption'))).text());
    return doc.getElementsByTagName('SSEAlgorithm')[0]?.textContent ?? undefined;
  } catch (e) {
    if ((e as { code?: string }).code === 'ServerSideEncryptionConfigurationNotFoundError') return undefined;
    throw e;
  }
}

export async function putBucketEncryption(bucket: string, on: boolean): Promise<void> {
  if (!on) {
    await call(s3Path(bucket, undefined, 'encryption'), { method: 'DELETE' });
    return;
  }
  const body =
    '<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>';
  await putXml(s3Path(bucket, undefined, 'encryption'), body);
}

export interface UploadEntry {
  key: string;
  uploadId: string;
  initiated: string;
}

export async function listUploads(bucket: string): Promise<UploadEntry[]> {
  const doc = xml(await (await call(s3Path(bucket, undefined, 'uploads'))).text());
  return [...doc.getElementsByTagName('Upload')].map((u) => ({ key: text(u, 'Key'), uploadId: text(u, 'UploadId'), initiated: text(u, 'Initiated') }));
}

export async function abortUpload(bucket: string, key: string, uploadId: string): Promise<void> {
  await call(s3Path(bucket, key, `uploadId=${encodeURIComponent(uploadId)}`), { method: 'DELETE' });
}

export async function createUpload(bucket: string, key: string, contentType: string): Promise<string> {
  const doc = xml(await (await call(s3Path(bucket, key, 'uploads'), { method: 'POST', headers: { 'content-type': contentType } })).text());
  return text(doc.documentElement, 'UploadId');
}

/** Parts already uploaded (number → ETag), for resuming. */
export async function listParts(bucket: string, key: string, uploadId: string): Promise<Map<number, string>> {
  const parts = new Map<number, string>();
  let marker = '';
  for (;;) {
    const q = `uploadId=${encodeURIComponent(uploadId)}${marker ? `&part-number-marker=${marker}` : ''}`;
    const doc = xml(await (await call(s3Path(bucket, key, q))).text());
    for (const p of doc.getElementsByTagName('Part')) parts.set(Number(text(p, 'PartNumber')), text(p, 'ETag'));
    if (text(doc.documentElement, 'IsTruncated') !== 'true') return parts;
    marker = text(doc.documentElement, 'NextPartNumberMarker');
  }
}

export async function completeUpload(bucket: string, key: string, uploadId: string, parts: Map<number, string>): Promise<void> {
  const sorted = [...parts.entries()].sort((a, b) => a[0] - b[0]);
  const body = `<CompleteMultipartUpload>${sorted.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${escapeXml(etag)}</ETag></Part>`).join('')}</CompleteMultipartUpload>`;
  await call(s3Path(bucket, key, `uploadId=${encodeURIComponent(uploadId)}`), { method: 'POST', body, headers: { 'content-type': 'application/xml' } });
}
