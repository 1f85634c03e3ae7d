// Request parameters several operations share, validated one way: numeric limits and markers, part
// numbers, encoding-type. The object version a request names is in versions.ts.
import { S3Error } from '../errors/s3-error.js';
import { urlEncodeValue } from './wire-format.js';
import { codePointName, nonXmlCharIn } from '../xml/chars.js';

export const MAX_PART_NUMBER = 10_000;

/** A non-negative integer parameter (query or header), capped at `max`; absent → `fallback`. */
export function nonNegativeInteger(raw: string | null | undefined, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === null || raw === undefined) return fallback;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new S3Error('InvalidArgument', { message: `Provided ${name} not an integer or within integer range`, fields: { ArgumentName: name, ArgumentValue: raw } });
  }
  return Math.min(Number(raw), max);
}

/** `partNumber`: 1..10,000. */
export function partNumber(raw: string | null): number {
  const n = Number(raw);
  if (raw === null || !/^\d{1,5}$/.test(raw) || n < 1 || n > MAX_PART_NUMBER) {
    throw new S3Error('InvalidArgument', {
      message: `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
      fields: { ArgumentName: 'partNumber', ArgumentValue: raw ?? '' },
    });
  }
  return n;
}

export interface ListEncoding {
  urlEncoded: boolean;
  encode: (value: string) => string;
}

/** `encoding-type=url` of the listing operations. */
export function listEncoding(query: URLSearchParams): ListEncoding {
  const encodingType = query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw new S3Error('InvalidArgument', { message: 'Invalid Encoding Method specified in Request', fields: { ArgumentName: 'encoding-type', ArgumentValue: encodingType } });
  }
  return encodingType === 'url' ? { urlEncoded: true, encode: urlEncodeValue } : { urlEncoded: false, encode: (v) => v };
}

/**
 * A listing answered as plain XML must neither echo nor list a value XML 1.0 cannot carry (a C0 control in
 * a prefix, marker or a key stored before such keys were refused): the client could not parse the answer.
 * With encoding-type=url those values travel percent-encoded, as S3 advises for them.
 */
export function requireXmlListable(encoding: ListEncoding, values: Iterable<string>): void {
  if (encoding.urlEncoded) return;
  for (const value of values) {
    const char = nonXmlCharIn(value);
    if (char !== undefined) {
      throw new S3Error('InvalidArgument', {
        message: `The listing holds ${codePointName(char)}, which XML 1.0 cannot carry; request it with encoding-type=url.`,
        fields: { ArgumentName: 'encoding-type' },
      });
    }
  }
}

/** Query parameters that name keys, or ids looked up beside them, in the index. */
const NAMING_PARAMETERS = ['prefix', 'delimiter', 'marker', 'start-after', 'key-marker', 'version-id-marker', 'upload-id-marker', 'uploadId'];

/**
 * U+0000 is never part of a name sklad stores: keys holding it are refused when they would come to exist
 * (names.ts), and PostgreSQL text cannot hold it at all. A key or naming parameter holding one is refused the
 * same way on either engine, before any index is asked. (Bucket names cannot hold it either: dispatch treats
 * such a bucket as absent.)
 */
export function refuseNulNames(key: string | undefined, query: URLSearchParams): void {
  if (key?.includes('\0')) {
    throw new S3Error('InvalidArgument', { message: 'Object keys may not contain U+0000.', fields: { ArgumentName: 'key' } });
  }
  for (const name of NAMING_PARAMETERS) {
    if (query.get(name)?.includes('\0')) {
      throw new S3Error('InvalidArgument', { message: `${name} may not contain U+0000.`, fields: { ArgumentName: name } });
    }
  }
}
