// CRC arithmetic: combining the CRCs of consecutive byte runs into the CRC of the whole, for FULL_OBJECT
// multipart checksums and the verification CRC32C of completed uploads.
import type { ChecksumAlgorithm } from '../../storage/metadata-index.js';

/** The algorithms whose values can be combined from parts (FULL_OBJECT multipart checksums). */
export type CrcAlgorithm = Extract<ChecksumAlgorithm, 'CRC32' | 'CRC32C' | 'CRC64NVME'>;

function uint32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32BE(value >>> 0);
  return out;
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
