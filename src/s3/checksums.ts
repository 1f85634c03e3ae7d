// Upload integrity: which checksum a request asks for, one-pass MD5 + checksum over the body, verification
// against headers and trailers, and CRC combination for full-object multipart checksums.
// Messages are the ones AWS sends; the user guide's rules are in "Checking object integrity in Amazon S3"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).

import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32, crc32c } from '@node-rs/crc32';
import { crc64nvme } from 'aws-crt/dist/native/checksums.js';
import { S3Error } from '../errors/s3-error.js';
import { OffloadedMd5 } from './md5-worker.js';
import type { ChecksumAlgorithm } from '../storage/metadata-index.js';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** The algorithms whose values can be combined from parts (FULL_OBJECT multipart checksums). */
export type CrcAlgorithm = Extract<ChecksumAlgorithm, 'CRC32' | 'CRC32C' | 'CRC64NVME'>;

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** AWS computes and stores CRC64NVME when the client sends no checksum (user guide, "Checking object integrity"). */
export const DEFAULT_CHECKSUM_ALGORITHM: ChecksumAlgorithm = 'CRC64NVME';

/** x-amz-checksum-* headers that carry no value: CreateMultipartUpload's algorithm/type and GET's mode. */
const NON_VALUE_HEADERS = new Set(['x-amz-checksum-algorithm', 'x-amz-checksum-type', 'x-amz-checksum-mode']);

export interface ChecksumRequest {
  algorithm: ChecksumAlgorithm;
  /** base64 value from the x-amz-checksum-<algorithm> header, already checked for form. */
  expected?: string;
  /** Lower-case trailer name announced by x-amz-trailer, e.g. 'x-amz-checksum-crc32'. */
  fromTrailer?: string;
  /** base64 Content-MD5, already checked for form. */
  contentMd5?: string;
}

export interface Digests {
  md5Hex: string;
  md5Base64: string;
  /** base64 digest of the request's algorithm. */
  checksum: string;
  /** base64 CRC32C, recorded for verifying reads (ObjectRecord.verifyCrc32c). */
  verifyCrc32c: string;
  size: number;
}

export interface Checksum {
  update(buf: Uint8Array): void;
  /** Async so that an implementation may digest off the event loop; all current ones are synchronous. */
  digest(): Promise<Buffer>;
}

export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

function algorithmOfHeader(name: string): ChecksumAlgorithm | undefined {
  return CHECKSUM_ALGORITHMS.find((a) => checksumHeaderName(a) === name);
}

/** Decodes canonical base64 of exactly `bytes` bytes; anything else (bad padding bits too) is undefined. */
export function decodeBase64Exact(value: string, bytes: number): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === bytes && decoded.toString('base64') === value ? decoded : undefined;
}

export function isValidChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  return decodeBase64Exact(value, DIGEST_BYTES[algorithm]) !== undefined;
}

function invalidRequest(message: string): S3Error {
  return new S3Error('InvalidRequest', { message });
}

/** Reads the checksum a request asks for. Header names in `headers` are lower-case. */
export function requestedChecksums(headers: Map<string, string>): ChecksumRequest {
  let header: { algorithm: ChecksumAlgorithm; name: string; value: string } | undefined;
  for (const [rawName, value] of headers) {
    const name = rawName.toLowerCase();
    if (!name.startsWith('x-amz-checksum-') || NON_VALUE_HEADERS.has(name)) continue;
    const algorithm = algorithmOfHeader(name);
    if (!algorithm) throw invalidRequest('The algorithm type you specified in x-amz-checksum- header is invalid.');
    if (header) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
    header = { algorithm, name, value: value.trim() };
  }

  const trailers = (headers.get('x-amz-trailer') ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  const trailerAlgorithms = trailers.map((t) => {
    const algorithm = algorithmOfHeader(t);
    if (!algorithm) throw invalidRequest('The value specified in the x-amz-trailer header is not supported');
    return algorithm;
  });
  if (trailers.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  // AWS words the header-plus-trailer case without the second sentence.
  if (header && trailers.length > 0) throw invalidRequest('Expecting a single x-amz-checksum- header');

  if (header && !isValidChecksum(header.algorithm, header.value)) {
    throw invalidRequest(`Value for ${header.name} header is invalid.`);
  }
  const announced = header?.algorithm ?? trailerAlgorithms[0];

  const sdkAlgorithm = headers.get('x-amz-sdk-checksum-algorithm')?.trim();
  if (sdkAlgorithm !== undefined) {
    if (!announced) {
      throw invalidRequest(
        'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.',
      );
    }
    if (sdkAlgorithm.toUpperCase() !== announced) {
      throw invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
    }
  }

  const request: ChecksumRequest = { algorithm: announced ?? DEFAULT_CHECKSUM_ALGORITHM };
  if (header) request.expected = header.value;
  if (trailers[0] !== undefined) request.fromTrailer = trailers[0];

  const md5 = headers.get('content-md5');
  if (md5 !== undefined) {
    const value = md5.trim();
    if (!decodeBase64Exact(value, 16)) {
      throw new S3Error('InvalidDigest', { message: 'The Content-MD5 you specified was invalid.', fields: { 'Content-MD5': md5 } });
    }
    request.contentMd5 = value;
  }
  return request;
}

function uint32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** One running digest of `algorithm`; every update is a single native (or AWS SDK) call on the whole buffer. */
export function newChecksum(algorithm: ChecksumAlgorithm): Checksum {
  switch (algorithm) {
    case 'CRC32':
    case 'CRC32C': {
      const fn = algorithm === 'CRC32' ? crc32 : crc32c;
      let state = 0;
      return {
        update: (buf) => { state = fn(buf, state); },
        digest: async () => uint32(state),
      };
    }
    case 'CRC64NVME': {
      // aws-crt's native CRC64NVME: 2.7x the pure-JavaScript @aws-sdk/crc64-nvme here (1,500 vs 560 MiB/s,
      // docs/performance.md). Only its checksums module is imported: the package's index loads MQTT, HTTP
      // and more, 6 MiB of resident memory for nothing. The running state is the previous result, an 8-byte
      // big-endian DataView.
      let state: DataView | undefined;
      return {
        update: (buf) => { state = crc64nvme(Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), state); },
        digest: async () => (state === undefined ? Buffer.alloc(8) : Buffer.from(state.buffer, state.byteOffset, 8)),
      };
    }
    case 'SHA1':
    case 'SHA256': {
      const hash: Hash = createHash(algorithm === 'SHA1' ? 'sha1' : 'sha256');
      return {
        update: (buf) => { hash.update(buf); },
        digest: async () => hash.digest(),
      };
    }
  }
}

export interface DigestingOptions {
  /** Compute the MD5 on a worker thread (md5-worker.ts) if it has room: worth it for large bodies only. */
  offloadMd5?: boolean;
}

/** Pass-through that hashes each buffer once for MD5 (the ETag) and once for the requested checksum. */
export class DigestingStream extends Transform {
  readonly algorithm: ChecksumAlgorithm;
  readonly #md5: Hash | undefined;
  readonly #offloaded: OffloadedMd5 | undefined;
  readonly #checksum: Checksum;
  /** Running CRC32C for the verification checksum, unless the requested checksum already is CRC32C. */
  #crc32c = 0;
  readonly #ownCrc32c: boolean;
  #size = 0;
  #result: Digests | undefined;

  constructor(algorithm: ChecksumAlgorithm, options: DigestingOptions = {}) {
    super();
    this.algorithm = algorithm;
    if (options.offloadMd5 && OffloadedMd5.available()) this.#offloaded = new OffloadedMd5();
    else this.#md5 = createHash('md5');
    this.#checksum = newChecksum(algorithm);
    this.#ownCrc32c = algorithm !== 'CRC32C';
  }

  /** Chunks may be plain Uint8Array (Readable.fromWeb yields them); they are hashed and passed on as they are. */
  override _transform(chunk: Uint8Array, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#checksum.update(chunk);
    if (this.#ownCrc32c) this.#crc32c = crc32c(chunk, this.#crc32c);
    this.#size += chunk.length;
    if (this.#offloaded) {
      this.#offloaded.update(chunk, () => callback(null, chunk));
      return;
    }
    this.#md5!.update(chunk);
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#offloaded?.discard();
    callback(error);
  }

  override _flush(callback: TransformCallback): void {
    Promise.all([this.#checksum.digest(), this.#offloaded ? this.#offloaded.digest() : this.#md5!.digest()]).then(([checksum, md5]) => {
      this.#result = {
        md5Hex: md5.toString('hex'),
        md5Base64: md5.toString('base64'),
        checksum: checksum.toString('base64'),
        verifyCrc32c: this.#ownCrc32c ? uint32(this.#crc32c).toString('base64') : checksum.toString('base64'),
        size: this.#size,
      };
      callback();
    }, callback);
  }

  /** Available once the stream has ended. */
  digests(): Digests {
    if (!this.#result) throw new Error('DigestingStream.digests() called before the stream ended');
    return this.#result;
  }
}

function badChecksum(algorithm: ChecksumAlgorithm): S3Error {
  return new S3Error('BadDigest', { message: `The ${algorithm} you specified did not match the calculated checksum.` });
}

/**
 * Compares what the client announced with what was received. A trailer announced by x-amz-trailer but absent
 * from the body is MalformedTrailerError, as AWS answers it. `trailers` keys are lower-case.
 */
export function verifyChecksums(
  req: ChecksumRequest,
  got: { md5Base64: string; checksum: string },
  trailers: Map<string, string>,
): void {
  if (req.contentMd5 !== undefined && req.contentMd5 !== got.md5Base64) {
    // AWS reports the expected digest in hex and the calculated one in base64.
    throw new S3Error('BadDigest', {
      message: 'The Content-MD5 you specified did not match what we received.',
      fields: { ExpectedDigest: Buffer.from(req.contentMd5, 'base64').toString('hex'), CalculatedDigest: got.md5Base64 },
    });
  }
  if (req.expected !== undefined && req.expected !== got.checksum) throw badChecksum(req.algorithm);
  if (req.fromTrailer !== undefined) {
    const value = trailers.get(req.fromTrailer)?.trim();
    if (value === undefined) throw new S3Error('MalformedTrailerError');
    if (!isValidChecksum(req.algorithm, value)) throw invalidRequest(`Value for ${req.fromTrailer} trailing header is invalid.`);
    if (value !== got.checksum) throw badChecksum(req.algorithm);
  }
}

/**
 * The verification CRC32C of parts laid end to end (a completed multipart object), or undefined when a
 * part has none (uploaded before it was recorded).
 */
export function combineVerifyCrc32c(parts: readonly { verifyCrc32c?: string; size: number }[]): string | undefined {
  let combined = uint32(0); // CRC32C of no bytes
  for (const part of parts) {
    if (part.verifyCrc32c === undefined) return undefined;
    combined = combineCrc('CRC32C', combined, Buffer.from(part.verifyCrc32c, 'base64'), part.size);
  }
  return combined.toString('base64');
}

// CRC combination: crc(A‖B) = crc(A)·x^(8·|B|) ⊕ crc(B) in GF(2)[x] mod P, for reflected CRCs whose init and
// final xor are both all-ones (CRC32, CRC32C, CRC64NVME). This is zlib's crc32_combine (multmodp/x2nmodp),
// generalised over width and polynomial; no maintained npm package combines CRC32C or CRC64NVME.

interface CrcSpec {
  width: bigint;
  /** Reflected polynomial. */
  poly: bigint;
  /** x2n[k] = x^(2^k) mod P, grown on demand. */
  x2n: bigint[];
  /** Cache of x^(8·length) mod P: multipart parts mostly share one size. */
  powers: Map<number, bigint>;
}

const CRC_SPECS: Record<CrcAlgorithm, CrcSpec> = {
  CRC32: { width: 32n, poly: 0xedb88320n, x2n: [], powers: new Map() },
  CRC32C: { width: 32n, poly: 0x82f63b78n, x2n: [], powers: new Map() },
  CRC64NVME: { width: 64n, poly: 0x9a6c9329ac4bc9b5n, x2n: [], powers: new Map() },
};

/** a·b mod P, both in reflected form (bit width-1 is x^0). */
function multModP(spec: CrcSpec, a: bigint, b: bigint): bigint {
  if (a === 0n) return 0n;
  let m = 1n << (spec.width - 1n);
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ spec.poly : b >> 1n;
  }
  return p;
}

function x2n(spec: CrcSpec, k: number): bigint {
  if (spec.x2n.length === 0) spec.x2n.push(1n << (spec.width - 2n)); // x^1
  while (spec.x2n.length <= k) {
    const last = spec.x2n[spec.x2n.length - 1] as bigint;
    spec.x2n.push(multModP(spec, last, last));
  }
  return spec.x2n[k] as bigint;
}

/** x^(8·length) mod P. */
function shiftOperator(spec: CrcSpec, length: number): bigint {
  const cached = spec.powers.get(length);
  if (cached !== undefined) return cached;
  let p = 1n << (spec.width - 1n); // x^0
  let k = 3; // 2^3 bits per byte
  for (let n = length; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = multModP(spec, x2n(spec, k), p);
  }
  if (spec.powers.size > 64) spec.powers.clear();
  spec.powers.set(length, p);
  return p;
}

function readCrc(spec: CrcSpec, buf: Buffer): bigint {
  if (buf.length * 8 !== Number(spec.width)) throw new RangeError(`CRC value must be ${Number(spec.width) / 8} bytes`);
  return spec.width === 64n ? buf.readBigUInt64BE() : BigInt(buf.readUInt32BE());
}

/** The CRC of A‖B from crc(A), crc(B) and |B| (big-endian values, as S3 encodes them before base64). */
export function combineCrc(algorithm: CrcAlgorithm, crcA: Buffer, crcB: Buffer, lengthB: number): Buffer {
  if (!Number.isSafeInteger(lengthB) || lengthB < 0) throw new RangeError('lengthB must be a non-negative integer');
  const spec = CRC_SPECS[algorithm];
  const combined = multModP(spec, shiftOperator(spec, lengthB), readCrc(spec, crcA)) ^ readCrc(spec, crcB);
  const out = Buffer.allocUnsafe(Number(spec.width) / 8);
  if (spec.width === 64n) out.writeBigUInt64BE(combined);
  else out.writeUInt32BE(Number(combined));
  return out;
}
