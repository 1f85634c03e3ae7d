// Transform: passes bytes through while hashing them; at the end the SHA-256 must equal x-amz-content-sha256.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../../errors/s3-error.js';

export class Sha256Verifier extends Transform {
  readonly #hash = createHash('sha256');
  readonly #expectedHex: string;

  constructor(expectedHex: string) {
    super();
    this.#expectedHex = expectedHex.toLowerCase();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const computed = this.#hash.digest('hex');
    if (computed === this.#expectedHex) return callback();
    callback(
      new S3Error('XAmzContentSHA256Mismatch', {
        fields: { ClientComputedContentSHA256: this.#expectedHex, S3ComputedContentSHA256: computed },
      }),
    );
  }
}
