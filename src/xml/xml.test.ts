import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { decodeXml, listOf, textOf } from './decode.js';
import { encodeXml } from './encode.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof S3Error ? e.code : 'not-an-S3Error';
  }
  return undefined;
}

describe('xml', () => {
  it('encodes with the S3 namespace and escapes text', () => {
    const xml = encodeXml('ListBucketResult', { Name: 'b', Contents: [{ Key: 'a&b<c>' }, { Key: '"q"' }] });
    expect(xml).toContain('<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(xml).toContain('<Key>a&amp;b&lt;c&gt;</Key>');
    expect(xml.match(/<Contents>/g)).toHaveLength(2);
  });

  it('writes CR as a reference and never a character XML 1.0 cannot carry, in elements, text nodes and attributes', () => {
    const xml = encodeXml('Root', {
      Key: ['a\rb', 'tab\tnewline\n', 'nul\u0000esc\u001b', 'x\uFFFEy', 'lone\uD800', '😀'],
      Text: { '#text': 'c\u0001d', '@_kind': 'e\u0002"f' },
      Count: 7,
      Flag: false,
    });
    expect(xml).toContain('<Key>a&#13;b</Key>');
    expect(xml).toContain('<Key>tab\tnewline\n</Key>');
    expect(xml).toContain('<Key>nul%00esc%1B</Key>');
    expect(xml).toContain('<Key>x%EF%BF%BEy</Key>');
    expect(xml).toContain('<Key>lone%EF%BF%BD</Key>');
    expect(xml).toContain('<Key>😀</Key>');
    expect(xml).toContain('<Text kind="e%02&quot;f">c%01d</Text>');
    expect(xml).toContain('<Count>7</Count><Flag>false</Flag>');
    // Every character left is one XML 1.0 allows, so a strict parser reads the document back.
    expect(codeOf(() => decodeXml(xml, 'Root'))).toBeUndefined();
    expect((decodeXml(xml, 'Root').Key as string[])[0]).toBe('a\rb');
  });

  it('decodes repeated elements as arrays and keeps values as strings', () => {
    const doc = decodeXml(
      '<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>007</Key></Object><Quiet>true</Quiet></Delete>',
      'Delete',
    );
    const objects = listOf(doc.Object);
    expect(objects).toHaveLength(1);
    expect(textOf(objects[0]!.Key)).toBe('007');
    expect(textOf(doc.Quiet)).toBe('true');
  });

  it('decodes entities and numeric references in text', () => {
    const doc = decodeXml('<Tagging><TagSet><Tag><Key>a&amp;b&#x20AC;&#65;</Key><Value></Value></Tag></TagSet></Tagging>', 'Tagging');
    const tagSet = doc.TagSet as Record<string, unknown>;
    const tag = listOf(tagSet.Tag as never)[0]!;
    expect(textOf(tag.Key)).toBe('a&b€A');
    expect(textOf(tag.Value)).toBe('');
  });

  it.each([
    ['not xml', 'Delete'],
    ['<Delete><Object></Delete>', 'Delete'],
    ['<Other/>', 'Delete'],
    ['<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "y">]><Delete>&x;</Delete>', 'Delete'],
    ['<Delete>' + '<a>'.repeat(200) + '</a>'.repeat(200) + '</Delete>', 'Delete'],
  ])('refuses %#: malformed, wrong root, DOCTYPE, too deep', (text, root) => {
    expect(codeOf(() => decodeXml(text, root))).toBe('MalformedXML');
  });
});
