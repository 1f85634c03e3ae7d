// Verifies an object's bytes as they stream by against what was recorded when it was written: the MD5
// behind its ETag (per part for multipart objects) and its full-object checksum. The last chunk is held
// back until the digests are compared, so a reader of corrupt bytes sees an error, never a complete body.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32c } from '@node-rs/crc32';
import { S3Error } from '../errors/s3-error.js';
import type { ObjectRecord } from '../storage/metadata-index.js';
import type { S3Context } from './context.js';
import { newChecksum, type Checksum } from './checksums/body-digest.js';

export class IntegrityError extends Error {
  constructor(readonly bucket: string, readonly key: string, readonly reason: string) {
    super(`${bucket}/${key}: ${reason}`);
    this.name = 'IntegrityError';
  }
}

/** What reads of a quarantined object answer. */
export function quarantinedError(key: string): S3Error {
  return new S3Error('InvalidObjectState', {
    message: 'The object failed an integrity check and is quarantined: restore it from a backup or delete it.',
    fields: { Key: key },
  });
}

/**
 * The one way a failed read check quarantines what it read: logged, counted, and that version (only if it
 * still has the ETag that was read) marked so later reads refuse it.
 */
export async function quarantine(ctx: S3Context, record: ObjectRecord, reason: string): Promise<void> {
  ctx.stats.integrityFailures += 1;
  ctx.log.error({ requestId: ctx.requestId, bucket: record.bucket, key: record.key, versionId: record.versionId, reason }, 'integrity check failed on read; object quarantined');
  await ctx.index.setQuarantined(record.bucket, record.key, record.etag, true, record.versionId).catch(() => undefined);
}

/** Which digests to compute: `fast` picks the cheapest sufficient one (for GET), `thorough` all (for scrubs). */
export type VerifyMode = 'fast' | 'thorough';

interface Segment {
  end: number;
  etag: string;
}

export class IntegrityVerifier extends Transform {
  readonly #record: ObjectRecord;
  readonly #segments: Segment[];
  #segment = 0;
  #offset = 0;
  #md5: Hash | undefined;
  readonly #checksum: Checksum | undefined;
  /** Running CRC32C, compared with record.verifyCrc32c. */
  #crc32c: number | undefined;
  #held: Buffer | undefined;
  #failure: string | undefined;

  constructor(record: ObjectRecord, mode: VerifyMode) {
    super({ highWaterMark: 256 * 1024 });
    this.#record = record;
    const fullChecksum = record.checksum?.type === 'FULL_OBJECT' ? record.checksum : undefined;
    // The verification CRC32C (native, a tenth of MD5's cost) alone suffices for a GET; objects written
    // before it was recorded fall back to a native CRC32/CRC32C checksum of theirs, or else to MD5.
    const verifyCrc = record.verifyCrc32c !== undefined;
    if (verifyCrc) this.#crc32c = 0;
    const cheapChecksum = fullChecksum && (fullChecksum.algorithm === 'CRC32' || fullChecksum.algorithm === 'CRC32C');
    this.#checksum = fullChecksum && (mode === 'thorough' || (cheapChecksum && !verifyCrc)) ? newChecksum(fullChecksum.algorithm) : undefined;
    const useMd5 = mode === 'thorough' || (!cheapChecksum && !verifyCrc);
    if (!useMd5) {
      this.#segments = [];
    } else if (record.parts === undefined) {
      this.#segments = [{ end: record.size, etag: record.etag }];
    } else {
      let end = 0;
      this.#segments = record.parts.map((p) => ({ end: (end += p.size), etag: p.etag }));
    }
    if (this.#segments.length > 0) this.#md5 = createHash('md5');
  }

  /** Feeds MD5s segment by segment: a chunk may span part boundaries. */
  #hashSegments(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.#segment < this.#segments.length) {
      const segment = this.#segments[this.#segment]!;
      const take = Math.min(chunk.length - at, segment.end - this.#offset);
      this.#md5!.update(chunk.subarray(at, at + take));
      at += take;
      this.#offset += take;
      if (this.#offset === segment.end) this.#closeSegment();
    }
    if (at < chunk.length) {
      this.#failure ??= 'more bytes stored than recorded';
      this.#offset += chunk.length - at;
    }
  }

  #closeSegment(): void {
    const segment = this.#segments[this.#segment]!;
    const got = this.#md5!.digest('hex');
    if (got !== segment.etag) {
      this.#failure ??= this.#segments.length === 1 ? `MD5 ${got} does not match ETag ${segment.etag}` : `part ${this.#segment + 1} MD5 ${got} does not match ${segment.etag}`;
    }
    this.#segment += 1;
    if (this.#segment < this.#segments.length) this.#md5 = createHash('md5');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#segments.length > 0) this.#hashSegments(chunk);
    else this.#offset += chunk.length;
    this.#checksum?.update(chunk);
    if (this.#crc32c !== undefined) this.#crc32c = crc32c(chunk, this.#crc32c);
    const previous = this.#held;
    this.#held = chunk;
    callback(null, previous);
  }

  override _flush(callback: TransformCallback): void {
    // Empty segments (a zero-byte object or part) close without any byte passing.
    while (this.#segment < this.#segments.length && this.#segments[this.#segment]!.end === this.#offset) this.#closeSegment();
    if (this.#offset !== this.#record.size) this.#failure ??= `${this.#offset} bytes stored, ${this.#record.size} recorded`;
    if (this.#crc32c !== undefined) {
      const got = Buffer.alloc(4);
      got.writeUInt32BE(this.#crc32c >>> 0);
      if (got.toString('base64') !== this.#record.verifyCrc32c) {
        this.#failure ??= `CRC32C ${got.toString('base64')} does not match the recorded ${this.#record.verifyCrc32c}`;
      }
    }
    const finish = (checksum: Buffer | undefined): void => {
      const expected = this.#record.checksum?.value;
      if (checksum !== undefined && checksum.toString('base64') !== expected) {
        this.#failure ??= `${this.#record.checksum!.algorithm} ${checksum.toString('base64')} does not match the stored ${expected}`;
      }
      if (this.#failure !== undefined) {
        callback(new IntegrityError(this.#record.bucket, this.#record.key, this.#failure));
        return;
      }
      callback(null, this.#held);
    };
    if (this.#checksum === undefined) finish(undefined);
    else this.#checksum.digest().then(finish, callback);
  }
}
