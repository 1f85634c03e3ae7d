// Transform: aws-chunked body → object bytes, checking each chunk signature and the trailer signature when signed.
// Framing (AWS "Transferring Payload in Multiple Chunks"): `hex-size[;chunk-signature=sig]\r\n<data>\r\n` … then
// `0[;chunk-signature=sig]\r\n`, optional trailer lines `name:value\r\n`, and a closing `\r\n`.
//
// Errors: a body that ends early is IncompleteBody (what S3 answers for a short body); broken chunk framing is
// InvalidRequest with the reason; anything wrong after the last chunk is MalformedTrailerError; a signature that
// does not verify is SignatureDoesNotMatch.
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../../errors/s3-error.js';
import { SignatureChain } from './chunk-signature.js';
import type { ChunkSigningSeed } from './payload-mode.js';
import { EMPTY_SHA256 } from './signing-key.js';

export interface ChunkedDecoderOptions {
  /** Verify chunk signatures (and the trailer signature when `trailer`) from this seed. */
  seed?: ChunkSigningSeed;
  /** The payload declares trailing headers (a *-TRAILER x-amz-content-sha256). */
  trailer: boolean;
  /** Longest chunk-size or trailer line accepted (default 4 KiB). */
  maxChunkHeaderBytes?: number;
  /** x-amz-decoded-content-length, when sent: the decoded body must be exactly this long. */
  decodedLength?: number;
}

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

function incomplete(message: string): S3Error {
  return new S3Error('IncompleteBody', { message });
}

function malformedChunk(message: string): S3Error {
  return new S3Error('InvalidRequest', { message: `Malformed aws-chunked body: ${message}` });
}

function malformedTrailer(message: string): S3Error {
  return new S3Error('MalformedTrailerError', { message: `The request contained trailing data that was not well-formed: ${message}` });
}

export class AwsChunkedDecoder extends Transform {
  /** Trailing headers (lower-case names), filled once the trailer section has been read and verified. */
  readonly trailers = new Map<string, string>();

  readonly #chain: SignatureChain | undefined;
  readonly #trailer: boolean;
  readonly #maxLine: number;
  readonly #decodedLength: number | undefined;

  #state: State = 'size';
  /** Pieces of the line being read; never more than `#maxLine` bytes in total. */
  #line: Buffer[] = [];
  #lineBytes = 0;
  #remaining = 0;
  #chunkSignature = '';
  #chunkHash: Hash | undefined;
  #decoded = 0;
  #pendingTrailers = new Map<string, string>();
  #canonicalTrailer = '';
  #trailerSignature: string | undefined;

  constructor(opts: ChunkedDecoderOptions) {
    super();
    this.#chain = opts.seed ? new SignatureChain(opts.seed) : undefined;
    this.#trailer = opts.trailer;
    this.#maxLine = opts.maxChunkHeaderBytes ?? 4096;
    this.#decodedLength = opts.decodedLength;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#finish();
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  #consume(buf: Buffer): void {
    let pos = 0;
    while (pos < buf.length) {
      if (this.#state === 'data') {
        const n = Math.min(this.#remaining, buf.length - pos);
        const data = buf.subarray(pos, pos + n);
        this.#chunkHash?.update(data);
        this.push(data);
        pos += n;
        this.#remaining -= n;
        if (this.#remaining === 0) this.#endOfData();
        continue;
      }
      const newline = buf.indexOf(0x0a, pos);
      const end = newline === -1 ? buf.length : newline;
      if (this.#lineBytes + (end - pos) > this.#maxLine) {
        throw this.#state === 'size' || this.#state === 'data-end'
          ? malformedChunk(`a chunk header line is longer than ${this.#maxLine} bytes`)
          : malformedTrailer(`a trailer line is longer than ${this.#maxLine} bytes`);
      }
      this.#line.push(buf.subarray(pos, end));
      this.#lineBytes += end - pos;
      if (newline === -1) return;
      pos = newline + 1;
      this.#onLine(this.#takeLine());
    }
  }

  #takeLine(): string {
    const text = Buffer.concat(this.#line, this.#lineBytes).toString('utf8');
    this.#line = [];
    this.#lineBytes = 0;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  #onLine(line: string): void {
    switch (this.#state) {
      case 'size':
        return this.#onChunkHeader(line);
      case 'data-end':
        if (line !== '') throw malformedChunk('chunk data is longer than its declared size');
        this.#state = 'size';
        return;
      case 'trailer':
        return this.#onTrailerLine(line);
      case 'done':
        if (line !== '') throw malformedTrailer('data follows the end of the trailer section');
        return;
    }
  }

  #onChunkHeader(line: string): void {
    const [sizeText = '', ...extensions] = line.split(';');
    const hex = sizeText.trim();
    if (!/^[0-9a-fA-F]{1,13}$/.test(hex)) throw malformedChunk(`invalid chunk size "${hex.slice(0, 32)}"`);
    const size = parseInt(hex, 16);
    this.#chunkSignature = '';
    for (const extension of extensions) {
      const eq = extension.indexOf('=');
      if (eq !== -1 && extension.slice(0, eq).trim() === 'chunk-signature') this.#chunkSignature = extension.slice(eq + 1).trim();
    }
    if (this.#chain && this.#chunkSignature === '') {
      throw new S3Error('SignatureDoesNotMatch', { message: 'The chunk signature is missing from a signed aws-chunked body.' });
    }
    this.#decoded += size;
    if (this.#decodedLength !== undefined && this.#decoded > this.#decodedLength) {
      throw incomplete('The decoded body is longer than x-amz-decoded-content-length.');
    }
    if (size === 0) {
      this.#chain?.acceptChunk(EMPTY_SHA256, this.#chunkSignature);
      this.#state = 'trailer';
      return;
    }
    this.#chunkHash = this.#chain ? createHash('sha256') : undefined;
    this.#remaining = size;
    this.#state = 'data';
  }

  #endOfData(): void {
    if (this.#chain && this.#chunkHash) this.#chain.acceptChunk(this.#chunkHash.digest('hex'), this.#chunkSignature);
    this.#chunkHash = undefined;
    this.#state = 'data-end';
  }

  /**
   * After the last chunk. Blank lines before the first trailer are skipped: clients differ on whether the last
   * chunk's empty data carries its own CRLF before the trailers. A blank line after a trailer ends the section.
   */
  #onTrailerLine(line: string): void {
    if (line === '') {
      if (this.#pendingTrailers.size > 0 || this.#trailerSignature !== undefined) this.#endTrailers();
      return;
    }
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).trim().toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) throw malformedTrailer(`"${line.slice(0, 64)}" is not a header line`);
    const value = line.slice(colon + 1).trim();
    if (this.#chain && !this.#trailer) throw malformedTrailer('trailing headers on a payload that does not declare them');
    if (name === TRAILER_SIGNATURE) {
      this.#trailerSignature = value;
      return;
    }
    if (this.#pendingTrailers.has(name)) throw malformedTrailer(`trailer ${name} is repeated`);
    this.#pendingTrailers.set(name, value);
    this.#canonicalTrailer += `${name}:${value}\n`;
  }

  #endTrailers(): void {
    if (this.#chain && (this.#pendingTrailers.size > 0 || this.#trailerSignature !== undefined)) {
      if (this.#trailerSignature === undefined) throw malformedTrailer('x-amz-trailer-signature is missing');
      this.#chain.acceptTrailer(createHash('sha256').update(this.#canonicalTrailer).digest('hex'), this.#trailerSignature);
    }
    for (const [name, value] of this.#pendingTrailers) this.trailers.set(name, value);
    this.#state = 'done';
  }

  #finish(): void {
    // A last line without its CRLF (a missing final CRLF) still counts.
    if (this.#lineBytes > 0 && this.#state !== 'data') this.#onLine(this.#takeLine());
    if (this.#state === 'trailer') this.#endTrailers();
    if (this.#state !== 'done') throw incomplete('The request body terminated unexpectedly.');
    if (this.#decodedLength !== undefined && this.#decoded !== this.#decodedLength) {
      throw incomplete('The decoded body is shorter than x-amz-decoded-content-length.');
    }
  }
}
