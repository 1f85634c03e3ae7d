// Reads a small request body (an XML document) into memory, refusing anything over the limit.
import type { Readable } from 'node:stream';
import { S3Error } from '../errors/s3-error.js';

export async function readSmallBody(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) {
      body.destroy();
      throw new S3Error('MalformedXML', { message: `The XML you provided was larger than the maximum of ${limit} bytes allowed.` });
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, size);
}
