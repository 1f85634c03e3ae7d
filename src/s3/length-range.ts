// A pass-through stream that holds a body to a size range as it streams: a POST policy's content-length-range,
// whose file size is known only once the multipart part ends.
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';

export class LengthRangeStream extends Transform {
  #seen = 0;

  constructor(readonly min: number, readonly max: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#seen += chunk.length;
    if (this.#seen > this.max) {
      done(new S3Error('EntityTooLarge', { fields: { ProposedSize: this.#seen, MaxSizeAllowed: this.max } }));
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.#seen < this.min) {
      done(new S3Error('EntityTooSmall', { message: 'Your proposed upload is smaller than the minimum allowed size', fields: { ProposedSize: this.#seen, MinSizeAllowed: this.min } }));
      return;
    }
    done();
  }
}
