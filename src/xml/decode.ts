// Parses S3 request documents: one parser configuration, values kept as strings, DOCTYPE refused.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error } from '../errors.js';

/** Element names that may repeat in any S3 request document; always parsed as arrays. */
const repeatedElements = new Set(['Part', 'Object', 'Tag', 'Rule', 'CORSRule', 'Grant']);

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

/** Decodes the five predefined entities and numeric references only; anything else is left verbatim. */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return predefinedEntities[ref] ?? '';
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

/**
 * Returns the children of the expected root element. Malformed documents, a different root,
 * and documents with a DOCTYPE (entity expansion) are MalformedXML.
 */
export function decodeXml(text: string, root: string): { [name: string]: XmlNode | XmlNode[] | undefined } {
  if (/<!DOCTYPE|<!ENTITY/i.test(text) || XMLValidator.validate(text) !== true) {
    throw new S3Error('MalformedXML');
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (cause) {
    throw new S3Error('MalformedXML', { cause });
  }
  const top = (doc as Record<string, unknown> | undefined)?.[root];
  if (top === undefined) throw new S3Error('MalformedXML');
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
