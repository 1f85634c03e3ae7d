// What a handler returns: status, headers and a body that is text, bytes or a stream. The HTTP edge writes it.
import type { Readable } from 'node:stream';
import { encodeXml } from '../xml/encode.js';

/** A value that survives JSON unchanged. */
export type OutcomeValue = string | number | boolean | null | OutcomeValue[] | { [key: string]: OutcomeValue };

export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body?: string | Buffer | Readable;
  /**
   * What the request did beyond its bucket and key, for the request's audit record (DeleteObjects: each key
   * and its result). Never sent to the client; never secrets.
   */
  outcome?: { [key: string]: OutcomeValue };
}

export function xmlResponse(root: string, document: object, status = 200, headers: Record<string, string> = {}): S3Response {
  return { status, headers: { 'content-type': 'application/xml', ...headers }, body: encodeXml(root, document) };
}

export function emptyResponse(status = 200, headers: Record<string, string> = {}): S3Response {
  return { status, headers };
}

export function streamResponse(status: number, headers: Record<string, string>, body: Readable): S3Response {
  return { status, headers, body };
}
