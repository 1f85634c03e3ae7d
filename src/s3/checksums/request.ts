// Which checksum a request asks for (x-amz-checksum-*, x-amz-sdk-checksum-algorithm, x-amz-trailer,
// Content-MD5) and the verification of what arrived against it. Messages are the ones AWS sends; the rules are
// in "Checking object integrity in Amazon S3"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
import { S3Error } from '../../errors/s3-error.js';
import type { ChecksumAlgorithm } from '../../storage/metadata-index.js';

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

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
