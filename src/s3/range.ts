// Range header → one inclusive byte span of an object, InvalidRange when unsatisfiable, or undefined to serve it whole.
// S3 honours a single byte range only ("Amazon S3 doesn't support retrieving multiple ranges of data per GET
// request", GetObject API reference) and treats a malformed or multi-range header as absent (RFC 9110 §14.2 lets a
// server ignore it), answering 200 with the whole object.

import { S3Error } from '../errors/s3-error.js';

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

const RANGE = /^bytes=(\d*)-(\d*)$/i;

export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const match = RANGE.exec(header.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;

  const unsatisfiable = (): S3Error =>
    new S3Error('InvalidRange', { fields: { RangeRequested: header, ActualObjectSize: size } });

  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw unsatisfiable();
    // RFC 9110 §14.1.1: a non-zero suffix is satisfiable even on an empty object; there is nothing to slice, so the
    // (empty) whole object is served.
    if (size === 0) return undefined;
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }

  const start = Number(first);
  const end = last === '' ? Number.POSITIVE_INFINITY : Number(last);
  if (start >= size) throw unsatisfiable();
  // last < first makes the spec invalid rather than unsatisfiable: ignored like any other malformed range.
  if (end < start) return undefined;
  return { start, end: Math.min(end, size - 1) };
}
