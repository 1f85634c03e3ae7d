// Reads a browser form upload (multipart/form-data) as a stream with busboy: the fields before the file are
// collected (names lower-cased, S3 matches them case-insensitively), then the file's bytes are handed on as a
// stream, never buffered. Fields after the file are ignored, as S3 ignores them.
import type { Readable } from 'node:stream';
import busboy from 'busboy';
import { S3Error } from '../errors/s3-error.js';

/** S3 refuses a form whose fields before the file exceed 20 KB. */
export const MAX_PRE_FILE_BYTES = 20 * 1024;

export interface PostForm {
  fields: Map<string, string>;
  /** The file's bytes; an error in the rest of the form destroys it with that error. */
  file: Readable;
  /** The file name the browser sent (its last path segment), or '' when none. */
  filename: string;
}

function malformed(cause?: unknown): S3Error {
  return new S3Error('MalformedPOSTRequest', { cause });
}

/** Resolves once the file part begins; rejects when the form ends without one or is not well-formed. */
export function readPostForm(body: Readable, contentType: string): Promise<PostForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { fieldSize: MAX_PRE_FILE_BYTES + 1, files: 1, fields: 1000, parts: 1001 },
        defParamCharset: 'utf8',
      });
    } catch (cause) {
      reject(malformed(cause));
      return;
    }
    const fields = new Map<string, string>();
    let preFileBytes = 0;
    let file: Readable | undefined;
    const fail = (error: S3Error): void => {
      body.unpipe(parser);
      parser.removeAllListeners('file');
      reject(error);
    };
    parser.on('field', (name, value) => {
      if (file !== undefined) return;
      preFileBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
      if (preFileBytes > MAX_PRE_FILE_BYTES) {
        fail(new S3Error('MaxPostPreDataLengthExceededError'));
        return;
      }
      const lower = name.toLowerCase();
      // The first occurrence counts; S3 answers a repeated field like this too.
      if (!fields.has(lower)) fields.set(lower, value);
    });
    parser.on('file', (_name, stream, info) => {
      if (file !== undefined) {
        stream.resume();
        return;
      }
      file = stream;
      const filename = (info.filename ?? '').split(/[\\/]/).pop() ?? '';
      resolve({ fields, file: stream, filename });
    });
    parser.on('error', (cause) => {
      if (file === undefined) reject(malformed(cause));
      else file.destroy(malformed(cause));
    });
    parser.on('close', () => {
      if (file === undefined) reject(new S3Error('IncorrectNumberOfFilesInPostRequest'));
    });
    body.on('error', (cause) => {
      if (file === undefined) reject(cause);
      else file.destroy(cause);
    });
    body.pipe(parser);
  });
}
