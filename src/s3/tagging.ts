// Object and bucket tag sets: parsing the x-amz-tagging header and enforcing S3's tag limits.
import { S3Error } from '../errors/s3-error.js';
import type { Tag } from '../storage/metadata-index.js';
import { nonXmlCharIn } from '../xml/chars.js';
import { decodeXml, listOf, textOf } from '../xml/decode.js';

/** S3 limits: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html */
export const MAX_OBJECT_TAGS = 10;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

export function validateTags(tags: Tag[], max = MAX_OBJECT_TAGS): Tag[] {
  if (tags.length > max) throw new S3Error('InvalidTag', { message: `Object tags cannot be greater than ${max}` });
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    // A character XML 1.0 cannot carry (from x-amz-tagging, which is URL-encoded) could never be listed back.
    if (nonXmlCharIn(key) !== undefined) throw new S3Error('InvalidTag', { message: 'The TagKey you have provided is invalid' });
    if (nonXmlCharIn(value) !== undefined) throw new S3Error('InvalidTag', { message: 'The TagValue you have provided is invalid' });
    if (key.length === 0 || [...key].length > MAX_KEY_LENGTH) throw new S3Error('InvalidTag', { message: 'The TagKey you have provided is invalid' });
    if ([...value].length > MAX_VALUE_LENGTH) throw new S3Error('InvalidTag', { message: 'The TagValue you have provided is invalid' });
    if (key.startsWith('aws:')) throw new S3Error('InvalidTag', { message: 'Your TagKey cannot be prefixed with aws:' });
    if (seen.has(key)) throw new S3Error('InvalidTag', { message: 'Cannot provide multiple Tags with the same key' });
    seen.add(key);
  }
  return tags;
}

/** `x-amz-tagging: k1=v1&k2=v2` (URL query encoding). */
export function tagsFromHeader(headers: Map<string, string>): Tag[] {
  const header = headers.get('x-amz-tagging');
  if (header === undefined || header === '') return [];
  const tags = [...new URLSearchParams(header)].map(([key, value]) => ({ key, value }));
  return validateTags(tags);
}

/** The tags of a `<Tagging><TagSet><Tag>…` document (PutObjectTagging's body, a POST form's tagging field). */
export function tagsFromDocument(text: string, max = MAX_OBJECT_TAGS): Tag[] {
  const doc = decodeXml(text, 'Tagging');
  const tagSet = listOf(doc.TagSet)[0] ?? {};
  const tags = listOf(tagSet.Tag).map((t) => {
    const key = textOf(t.Key);
    const value = textOf(t.Value);
    if (key === undefined || value === undefined) throw new S3Error('MalformedXML');
    return { key, value };
  });
  return validateTags(tags, max);
}
