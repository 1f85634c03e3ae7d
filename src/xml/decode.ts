// Parses S3 request documents: one parser configuration, values kept as strings, DOCTYPE refused.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from '../errors/s3-error.js';
import { NON_XML_CHAR } from './chars.js';

/** Element names that may repeat in any S3 request document; always parsed as arrays. */
const repeatedElements = new Set(['Part', 'Object', 'Tag', 'Rule', 'CORSRule', 'Grant', 'AllowedOrigin', 'AllowedMethod', 'AllowedHeader', 'ExposeHeader', 'RoutingRule']);

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 32,
  isArray: (name) => repeatedElements.has(name),
});

export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] | undefined };

const predefinedEntities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Anything outside XML 1.0 `Char`, literal or referenced, makes a document malformed. */
const invalidXmlChar = NON_XML_CHAR;

function characterReference(digits: string, radix: 16 | 10): string {
  if (digits.length === 0 || digits.length > 8) throw new S3Error('MalformedXML');
  const code = parseInt(digits, radix);
  if (!Number.isInteger(code) || code > 0x10ffff) throw new S3Error('MalformedXML');
  const char = String.fromCodePoint(code);
  if (invalidXmlChar.test(char)) throw new S3Error('MalformedXML');
  return char;
}

/**
 * Decodes the five predefined entities and character references. Any other `&` (an undeclared entity,
 * an unterminated reference) makes the document malformed, as in any conforming XML parser.
 */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new S3Error('MalformedXML');
    if (/^#x[0-9a-fA-F]*$/.test(ref)) return characterReference(ref.slice(2), 16);
    if (/^#[0-9]*$/.test(ref)) return characterReference(ref.slice(1), 10);
    const entity = predefinedEntities[ref];
    if (entity === undefined) throw new S3Error('MalformedXML');
    return entity;
  });
}

function unescapeTree(node: XmlNode | XmlNode[] | undefined): XmlNode | XmlNode[] | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return decodeEntities(node);
  if (Array.isArray(node)) return node.map((n) => unescapeTree(n) as XmlNode);
  const out: { [name: string]: XmlNode | XmlNode[] | undefined } = {};
  for (const [k, v] of Object.entries(node)) out[k] = unescapeTree(v);
  return out;
}

/** Every namespace prefix used on an element must be declared (`xmlns:p="…"`); prefixes are then dropped. */
function prefixesDeclared(text: string): boolean {
  for (const [, prefix] of text.matchAll(/<\/?([A-Za-z_][\w.-]*):/g)) {
    if (prefix !== 'xml' && !text.includes(`xmlns:${prefix}=`)) return false;
  }
  return true;
}

/**
 * Returns the children of the expected root element. Malformed documents, characters XML does not allow,
 * anything but one root element, a different root, and documents with a DOCTYPE (entity expansion) are
 * all MalformedXML.
 */
export function decodeXml(text: string, root: string): { [name: string]: XmlNode | XmlNode[] | undefined } {
  const trimmed = text.trim();
  if (
    invalidXmlChar.test(text) || /<!DOCTYPE|<!ENTITY/i.test(text) || !trimmed.startsWith('<') || !trimmed.endsWith('>') ||
    !prefixesDeclared(text) || XMLValidator.validate(text) !== true
  ) {
    throw new S3Error('MalformedXML');
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (cause) {
    throw new S3Error('MalformedXML', { cause });
  }
  const topLevel = Object.keys((doc ?? {}) as object);
  if (topLevel.length !== 1 || topLevel[0] !== root) throw new S3Error('MalformedXML');
  const top = (doc as Record<string, unknown>)[root];
  if (top === '') return {};
  if (typeof top !== 'object' || top === null || Array.isArray(top)) throw new S3Error('MalformedXML');
  return unescapeTree(top as XmlNode) as { [name: string]: XmlNode | XmlNode[] | undefined };
}

/** The text of a leaf element, or undefined when absent; an element with children is MalformedXML. */
export function textOf(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (!Array.isArray(node) && Object.keys(node).length === 0) return '';
  throw new S3Error('MalformedXML');
}

/** Repeated child elements as an array of element objects. */
export function listOf(node: XmlNode | XmlNode[] | undefined): { [name: string]: XmlNode | XmlNode[] | undefined }[] {
  if (node === undefined) return [];
  const items = Array.isArray(node) ? node : [node];
  return items.map((item) => {
    if (typeof item === 'string') {
      if (item === '') return {};
      throw new S3Error('MalformedXML');
    }
    return item as { [name: string]: XmlNode | XmlNode[] | undefined };
  });
}
