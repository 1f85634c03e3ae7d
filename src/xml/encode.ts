// Serialises typed S3 response documents to XML with the S3 namespace on the root element.
import { XMLBuilder } from 'fast-xml-parser';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };

/** What `escapeXml` rewrites: markup characters, CR, and every character XML 1.0 cannot carry. */
const TO_ESCAPE = /[&<>"'\r]|[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Text as XML 1.0 carries it. CR is written as a reference, since parsers turn a literal CR into LF (a key
 * "a\rb" would come back as "a\nb"). A character XML 1.0 cannot carry at all has no escape: it is written
 * percent-encoded (UTF-8) so the document stays well-formed. Callers refuse such values where the exact
 * value matters (keys are refused at write time, listings ask for encoding-type=url); this only keeps an
 * error document's echo of a request (a Key field) parseable.
 */
export function escapeXml(value: string): string {
  // A lone surrogate has no UTF-8 form: it is written as the replacement character's.
  return value.replace(TO_ESCAPE, (c) => ESCAPES[c] ?? (/\p{Cs}/u.test(c) ? '%EF%BF%BD' : encodeURIComponent(c)));
}

const escapeValue = (_name: string, value: unknown): unknown => (typeof value === 'string' ? escapeXml(value) : value);

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  // Escaping is escapeXml's alone: the builder's own entity table knows neither CR nor non-XML characters.
  processEntities: false,
  tagValueProcessor: escapeValue,
  attributeValueProcessor: escapeValue,
});

/** A value an XML document may hold: nested elements, repeated elements (arrays) or text. */
export type XmlValue = string | number | boolean | undefined | null | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/** `<?xml …?><Root xmlns="…">…</Root>`; undefined members are omitted, empty strings give empty elements. */
export function encodeXml(root: string, body: object, namespace: string | null = S3_NAMESPACE): string {
  const element = namespace ? { '@_xmlns': namespace, ...body } : body;
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + builder.build({ [root]: element });
}
