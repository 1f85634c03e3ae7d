// Serialises typed S3 response documents to XML with the S3 namespace on the root element.
import { XMLBuilder } from 'fast-xml-parser';

export const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: false,
  processEntities: true,
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
