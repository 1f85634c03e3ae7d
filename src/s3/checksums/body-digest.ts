// The digesting stream: one pass over a body computes MD5 (the ETag, on a worker for large bodies), the
// requested checksum and the verification CRC32C.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32, crc32c } from '@node-rs/crc32';
import { crc64nvme } from 'aws-crt/dist/native/checksums.js';
import type { ChecksumAlgorithm } from '../../storage/metadata-index.js';
import { OffloadedMd5 } from './md5-worker.js';

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
