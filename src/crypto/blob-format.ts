// The encrypted blob format. A blob is salt(16) ‖ seg₀ ‖ tag₀ ‖ … ‖ segₙ ‖ tagₙ: the plaintext cut into
// 64 KiB segments, each sealed with AES-256-GCM under HKDF-SHA256(dataKey, salt, "sklad blob v1").
// The nonce is the segment index (96-bit big-endian) and the AAD one byte, 1 for the final segment and 0
// otherwise, so reordered, dropped, duplicated or truncated segments fail authentication. The per-blob
// salt gives every blob its own key, so the parts of one multipart object (one data key) never share a
// (key, nonce) pair. Only segments a range touches are read and decrypted.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export const SALT_BYTES = 16;
export const SEGMENT_BYTES = 64 * 1024;
export const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;
const INFO = Buffer.from('sklad blob v1');
const FINAL = Buffer.from([1]);
const NOT_FINAL = Buffer.from([0]);

/** Stored bytes that do not decrypt: damaged, truncated, reordered, or read with the wrong key. */
export class BlobDecryptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobDecryptionError';
  }
}

/** Segments of a blob holding `plainSize` bytes; an empty blob still has one (empty, final) segment. */
export function segmentCount(plainSize: number): number {
  return plainSize === 0 ? 1 : Math.ceil(plainSize / SEGMENT_BYTES);
}

/** Size on disk of an encrypted blob holding `plainSize` plaintext bytes. */
export function ciphertextSize(plainSize: number): number {
  return SALT_BYTES + plainSize + segmentCount(plainSize) * TAG_BYTES;
}

function blobKey(dataKey: Buffer, salt: Buffer): Buffer {
  if (dataKey.length !== DATA_KEY_BYTES) throw new Error('a data key is 32 bytes');
  return Buffer.from(hkdfSync('sha256', dataKey, salt, INFO, 32));
}

function nonceFor(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

function plainLength(plainSize: number, index: number): number {
  return Math.min(SEGMENT_BYTES, plainSize - index * SEGMENT_BYTES);
}

/** Where segment `index` starts in the blob. */
function segmentOffset(index: number): number {
  return SALT_BYTES + index * (SEGMENT_BYTES + TAG_BYTES);
}

export function sealSegment(key: Buffer, index: number, plaintext: Buffer, final: boolean): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonceFor(index));
  cipher.setAAD(final ? FINAL : NOT_FINAL);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

export function openSegment(key: Buffer, index: number, sealed: Buffer, final: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonceFor(index));
  decipher.setAAD(final ? FINAL : NOT_FINAL);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new BlobDecryptionError(`segment ${index} of an encrypted blob failed authentication`);
  }
}

/** Collects chunks and hands out exact-size buffers. */
class ByteQueue {
  #chunks: Buffer[] = [];
  length = 0;

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.length += chunk.length;
  }

  take(n: number): Buffer {
    const head = this.#chunks[0];
    let out: Buffer;
    if (head !== undefined && head.length >= n) {
      out = head.subarray(0, n);
      if (head.length === n) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(n);
    } else {
      const all = Buffer.concat(this.#chunks, this.length);
      out = all.subarray(0, n);
      this.#chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.length -= n;
    return out;
  }
}

/** Plaintext in, blob bytes out. A segment is sealed once more input proves it is not the final one. */
export class EncryptingStream extends Transform {
  readonly #key: Buffer;
  readonly #salt = randomBytes(SALT_BYTES);
  readonly #pending = new ByteQueue();
  #index = 0;
  #started = false;

  constructor(dataKey: Buffer) {
    super({ highWaterMark: 256 * 1024 });
    this.#key = blobKey(dataKey, this.#salt);
  }

  #start(): void {
    if (this.#started) return;
    this.#started = true;
    this.push(this.#salt);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#start();
    this.#pending.push(chunk);
    while (this.#pending.length > SEGMENT_BYTES) {
      this.push(sealSegment(this.#key, this.#index++, this.#pending.take(SEGMENT_BYTES), false));
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.#start();
    this.push(sealSegment(this.#key, this.#index++, this.#pending.take(this.#pending.length), true));
    callback();
  }
}

/** The part of an encrypted blob that holds plaintext bytes `start..end` (inclusive) of it. */
export interface CiphertextSpan {
  /** Inclusive byte range of the blob to read: whole segments with their tags. */
  start: number;
  end: number;
  firstSegment: number;
  lastSegment: number;
  /** Plaintext bytes to drop from the front of the first segment. */
  skip: number;
  /** Plaintext bytes to deliver. */
  length: number;
}

export function ciphertextSpan(plainSize: number, start: number, end: number): CiphertextSpan {
  if (plainSize === 0) {
    return { start: SALT_BYTES, end: SALT_BYTES + TAG_BYTES - 1, firstSegment: 0, lastSegment: 0, skip: 0, length: 0 };
  }
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end < plainSize)) {
    throw new RangeError(`plaintext range ${start}-${end} is outside a blob of ${plainSize} bytes`);
  }
  const firstSegment = Math.floor(start / SEGMENT_BYTES);
  const lastSegment = Math.floor(end / SEGMENT_BYTES);
  return {
    start: segmentOffset(firstSegment),
    end: segmentOffset(lastSegment) + plainLength(plainSize, lastSegment) + TAG_BYTES - 1,
    firstSegment,
    lastSegment,
    skip: start - firstSegment * SEGMENT_BYTES,
    length: end - start + 1,
  };
}

/**
 * Blob bytes of `span` in, plaintext out. With `salt` undefined the input starts at byte 0 of the blob
 * (the salt itself) rather than at the span. Ending before the span's last segment is an error, so a
 * truncated blob never passes for a shorter object.
 */
export class DecryptingStream extends Transform {
  readonly #dataKey: Buffer;
  readonly #plainSize: number;
  readonly #span: CiphertextSpan;
  readonly #lastOfBlob: number;
  readonly #pending = new ByteQueue();
  #key: Buffer | undefined;
  #index: number;
  #toSkip: number;
  #toDeliver: number;

  constructor(dataKey: Buffer, plainSize: number, span: CiphertextSpan, salt?: Buffer) {
    super({ highWaterMark: 256 * 1024 });
    this.#dataKey = dataKey;
    this.#plainSize = plainSize;
    this.#span = span;
    this.#lastOfBlob = segmentCount(plainSize) - 1;
    this.#index = span.firstSegment;
    this.#toSkip = span.skip;
    this.#toDeliver = span.length;
    if (salt !== undefined) this.#key = blobKey(dataKey, salt);
    else if (span.firstSegment !== 0) throw new RangeError('a stream that reads the salt inline must start at segment 0');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#pending.push(chunk);
    try {
      this.#drain();
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#drain();
      if (this.#key === undefined || this.#index <= this.#span.lastSegment) {
        throw new BlobDecryptionError('an encrypted blob is shorter than its recorded size');
      }
      if (this.#pending.length > 0) throw new BlobDecryptionError('an encrypted blob is longer than its recorded size');
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  #drain(): void {
    if (this.#key === undefined) {
      if (this.#pending.length < SALT_BYTES) return;
      this.#key = blobKey(this.#dataKey, this.#pending.take(SALT_BYTES));
    }
    while (this.#index <= this.#span.lastSegment) {
      const sealedLength = plainLength(this.#plainSize, this.#index) + TAG_BYTES;
      if (this.#pending.length < sealedLength) return;
      const plain = openSegment(this.#key, this.#index, this.#pending.take(sealedLength), this.#index === this.#lastOfBlob);
      this.#index += 1;
      const from = Math.min(this.#toSkip, plain.length);
      this.#toSkip -= from;
      const out = plain.subarray(from, from + Math.min(this.#toDeliver, plain.length - from));
      this.#toDeliver -= out.length;
      if (out.length > 0) this.push(out);
    }
  }
}

/** Opens an inclusive byte range of one stored blob (BlobStore.read, bound to a blob id). */
export type RangeReader = (range: { start: number; end: number }) => Promise<Readable>;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Plaintext bytes `start..end` (inclusive) of an encrypted blob holding `plainSize` bytes, reading only
 * the segments they fall in (plus the 16-byte salt). The blob is opened before this resolves.
 */
export async function openDecryptedRange(read: RangeReader, dataKey: Buffer, plainSize: number, start: number, end: number): Promise<Readable> {
  const span = ciphertextSpan(plainSize, start, end);
  let salt: Buffer | undefined;
  let source: Readable;
  if (span.firstSegment === 0) {
    source = await read({ start: 0, end: span.end });
  } else {
    salt = await readAll(await read({ start: 0, end: SALT_BYTES - 1 }));
    if (salt.length !== SALT_BYTES) throw new BlobDecryptionError('an encrypted blob is shorter than its salt');
    source = await read({ start: span.start, end: span.end });
  }
  const out = new DecryptingStream(dataKey, plainSize, span, salt);
  // An error on either side (bad segment, disk error, reader gone) destroys both.
  pipeline(source, out).catch(() => undefined);
  return out;
}
