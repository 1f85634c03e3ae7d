// Benchmark S3 client: SigV4 (header auth, UNSIGNED-PAYLOAD) over an undici connection pool, plus a
// bounded-concurrency runner. The same client drives both targets; the ceiling ignores the signature, so the
// client-side cost is identical for both.
import { createHash, createHmac } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

const UNSIGNED = 'UNSIGNED-PAYLOAD';
const SIGNED_HEADERS = 'host;x-amz-content-sha256;x-amz-date';

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters escaped. */
function rfc3986(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function encodePath(bucket, key) {
  if (bucket === undefined) return '/';
  if (key === undefined || key === '') return `/${rfc3986(bucket)}`;
  return `/${rfc3986(bucket)}/${key.split('/').map(rfc3986).join('/')}`;
}

function encodeQuery(query) {
  if (!query) return '';
  return Object.entries(query)
    .map(([k, v]) => [rfc3986(k), rfc3986(v ?? '')])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

export class S3BenchClient {
  /**
   * @param {{ endpoint: string, accessKey?: string, secretKey?: string, region?: string, connections?: number }} opts
   */
  constructor({ endpoint, accessKey = 'bench', secretKey = 'bench-secret', region = 'us-east-1', connections = 16 }) {
    const url = new URL(endpoint);
    this.host = url.host;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
    this.region = region;
    this.pool = new Pool(url.origin, {
      connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    this.keyDate = '';
    this.signingKey = undefined;
    this.clockSecond = -1;
    this.amzDate = '';
  }

  /** x-amz-date, recomputed once per second. */
  now() {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.clockSecond) {
      this.clockSecond = second;
      this.amzDate = new Date(second * 1000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    }
    return this.amzDate;
  }

  /** The derived signing key, cached per day. */
  key(date) {
    if (date !== this.keyDate) {
      const hmac = (k, v) => createHmac('sha256', k).update(v).digest();
      const kDate = hmac(`AWS4${this.secretKey}`, date);
      this.signingKey = hmac(hmac(hmac(kDate, this.region), 's3'), 'aws4_request');
      this.keyDate = date;
    }
    return this.signingKey;
  }

  sign(method, path, query) {
    const amzDate = this.now();
    const date = amzDate.slice(0, 8);
    const scope = `${date}/${this.region}/s3/aws4_request`;
    const canonical = `${method}\n${path}\n${query}\nhost:${this.host}\nx-amz-content-sha256:${UNSIGNED}\nx-amz-date:${amzDate}\n\n${SIGNED_HEADERS}\n${UNSIGNED}`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${createHash('sha256').update(canonical).digest('hex')}`;
    const signature = createHmac('sha256', this.key(date)).update(toSign).digest('hex');
    return {
      host: this.host,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': UNSIGNED,
      authorization: `AWS4-HMAC-SHA256 Credential=${this.accessKey}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
    };
  }

  /**
   * One signed request. `read`: 'count' (default, streams and counts the body bytes), 'text'.
   * Throws on a non-2xx status. Returns { status, headers, bytes, text }.
   */
  async request(method, bucket, key, { query, body, read = 'count' } = {}) {
    const path = encodePath(bucket, key);
    const qs = encodeQuery(query);
    const headers = this.sign(method, path, qs);
    // reset: false keeps the connection alive after HEAD too (undici closes it by default, which would make
    // every HEAD pay for a new TCP connection; SDK clients on a keep-alive agent do not).
    const res = await this.pool.request({ method, path: qs ? `${path}?${qs}` : path, headers, body, reset: false });
    let bytes = 0;
    let text;
    if (read === 'text' || res.statusCode >= 300) {
      text = await res.body.text();
      bytes = Buffer.byteLength(text);
    } else {
      for await (const chunk of res.body) bytes += chunk.length;
    }
    if (res.statusCode >= 300) {
      const error = new Error(`${method} ${path}${qs ? `?${qs}` : ''} → ${res.statusCode} ${text.slice(0, 300)}`);
      error.status = res.statusCode;
      throw error;
    }
    return { status: res.statusCode, headers: res.headers, bytes, text };
  }

  createBucket(bucket) {
    return this.request('PUT', bucket);
  }

  enableVersioning(bucket) {
    const body = Buffer.from('<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>');
    return this.request('PUT', bucket, undefined, { query: { versioning: '' }, body });
  }

  /** One ListObjectVersions page: { versions, prefixes }. */
  async listObjectVersions(bucket, { prefix, delimiter } = {}) {
    const query = { versions: '' };
    if (prefix !== undefined) query.prefix = prefix;
    if (delimiter !== undefined) query.delimiter = delimiter;
    const { text } = await this.request('GET', bucket, undefined, { query, read: 'text' });
    return { versions: text.split('<Version>').length - 1, prefixes: text.split('<CommonPrefixes>').length - 1 };
  }

  putObject(bucket, key, body) {
    return this.request('PUT', bucket, key, { body });
  }

  getObject(bucket, key) {
    return this.request('GET', bucket, key);
  }

  headObject(bucket, key) {
    return this.request('HEAD', bucket, key);
  }

  deleteObject(bucket, key) {
    return this.request('DELETE', bucket, key);
  }

  /** One ListObjectsV2 page: { keys, prefixes, next }. Parsing is a regex count, kept cheap on purpose. */
  async listObjectsV2(bucket, { prefix, delimiter, token, maxKeys } = {}) {
    const query = { 'list-type': '2' };
    if (prefix !== undefined) query.prefix = prefix;
    if (delimiter !== undefined) query.delimiter = delimiter;
    if (token !== undefined) query['continuation-token'] = token;
    if (maxKeys !== undefined) query['max-keys'] = String(maxKeys);
    const { text } = await this.request('GET', bucket, undefined, { query, read: 'text' });
    const contents = text.split('<Contents>').length - 1;
    const prefixes = text.split('<CommonPrefixes>').length - 1;
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(text)?.[1];
    const truncated = /<IsTruncated>true<\/IsTruncated>/.test(text);
    return { keys: contents, prefixes, next: truncated ? next : undefined };
  }

  async createMultipartUpload(bucket, key) {
    const { text } = await this.request('POST', bucket, key, { query: { uploads: '' }, read: 'text' });
    const id = /<UploadId>([^<]+)<\/UploadId>/.exec(text)?.[1];
    if (!id) throw new Error(`no UploadId in ${text.slice(0, 200)}`);
    return id;
  }

  async uploadPart(bucket, key, uploadId, partNumber, body) {
    const { headers } = await this.request('PUT', bucket, key, { query: { partNumber: String(partNumber), uploadId }, body });
    return String(headers.etag);
  }

  completeMultipartUpload(bucket, key, uploadId, parts) {
    const body =
      '<CompleteMultipartUpload>' +
      parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${p.etag}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    return this.request('POST', bucket, key, { query: { uploadId }, body, read: 'text' });
  }

  abortMultipartUpload(bucket, key, uploadId) {
    return this.request('DELETE', bucket, key, { query: { uploadId } });
  }

  close() {
    return this.pool.close();
  }
}

/**
 * Runs `op(i)` for i = 0 … total-1 with at most `concurrency` in flight, issuing nothing new after
 * `maxMs`. Returns { count, errors, firstError, elapsedMs, latencies (ms, completion order) }.
 */
export async function runConcurrent({ total, concurrency, maxMs = Infinity, op }) {
  let next = 0;
  let count = 0;
  let errors = 0;
  let firstError;
  const latencies = [];
  const started = performance.now();
  const stopAt = started + maxMs;
  const worker = async () => {
    while (next < total && performance.now() < stopAt) {
      const i = next++;
      const t = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - t);
        count += 1;
      } catch (error) {
        errors += 1;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { count, errors, firstError, elapsedMs: performance.now() - started, latencies };
}

/** The q-quantile (0…1) of `values`, nearest-rank. */
/**
 * One multipart upload of `size` bytes in `partSize` parts, `concurrency` in flight, cut from `body` (reused from
 * its start when the object is larger): { seconds, completeMs }. A failed part aborts the upload and throws.
 */
export async function multipartUpload(c, { bucket, key, size, body, partSize, concurrency }) {
  const parts = Math.ceil(size / partSize);
  const t0 = performance.now();
  const uploadId = await c.createMultipartUpload(bucket, key);
  const etags = [];
  const result = await runConcurrent({
    total: parts,
    concurrency,
    op: async (i) => {
      const offset = (i % Math.floor(body.length / partSize)) * partSize;
      const length = Math.min(partSize, size - i * partSize);
      etags[i] = await c.uploadPart(bucket, key, uploadId, i + 1, body.subarray(offset, offset + length));
    },
  });
  if (result.errors > 0) {
    await c.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
    throw result.firstError;
  }
  const t1 = performance.now();
  await c.completeMultipartUpload(bucket, key, uploadId, etags.map((etag, i) => ({ partNumber: i + 1, etag })));
  const t2 = performance.now();
  return { seconds: (t2 - t0) / 1000, completeMs: t2 - t1 };
}

export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
