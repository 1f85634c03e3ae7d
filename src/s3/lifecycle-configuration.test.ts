// LifecycleConfiguration documents as clients may write them by hand: forms the SDKs never send, S3's answers
// to each, and the round trip back to XML in the form given.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { S3Error } from '../errors/s3-error.js';
import { encodeXml } from '../xml/encode.js';
import { lifecycleDocument, parseLifecycleConfiguration } from './lifecycle-configuration.js';

const doc = (rules: string): string => `<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${rules}</LifecycleConfiguration>`;

function refusal(text: string): { code: string; message: string } {
  try {
    parseLifecycleConfiguration(text);
  } catch (e) {
    if (e instanceof S3Error) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('lifecycle configuration documents', () => {
  it('parses every supported element and writes it back in the same form', () => {
    const text = doc(`
      <Rule><ID>a</ID><Filter><And><Prefix>p/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeLessThan>9</ObjectSizeLessThan></And></Filter>
        <Status>Enabled</Status><Expiration><Date>2031-02-03T00:00:00.000Z</Date></Expiration>
        <NoncurrentVersionExpiration><NoncurrentDays>4</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>
      <Rule><ID>b</ID><Filter></Filter><Status>Disabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>3</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`);
    const parsed = parseLifecycleConfiguration(text);
    expect(parsed.rules).toEqual([
      {
        id: 'a', enabled: true, form: 'and', filter: { prefix: 'p/', tags: [{ key: 'k', value: 'v' }], objectSizeLessThan: 9 },
        expirationDate: new Date('2031-02-03T00:00:00Z'), noncurrentDays: 4, newerNoncurrentVersions: 2,
      },
      { id: 'b', enabled: false, form: 'filter', filter: {}, abortIncompleteMultipartUploadDays: 3 },
    ]);
    expect(parseLifecycleConfiguration(encodeXml('LifecycleConfiguration', lifecycleDocument(parsed)))).toEqual(parsed);
  });

  it('takes a plain date as midnight UTC', () => {
    const parsed = parseLifecycleConfiguration(doc('<Rule><ID>d</ID><Prefix></Prefix><Status>Enabled</Status><Expiration><Date>2030-01-01</Date></Expiration></Rule>'));
    expect(parsed.rules[0]).toMatchObject({ form: 'prefix', filter: { prefix: '' }, expirationDate: new Date('2030-01-01T00:00:00Z') });
  });

  it('answers malformed documents as S3 does', () => {
    const rule = (inner: string) => doc(`<Rule><ID>r</ID><Status>Enabled</Status>${inner}</Rule>`);
    const expiration = '<Expiration><Days>1</Days></Expiration>';
    expect(refusal(doc('')).code).toBe('MalformedXML');
    expect(refusal(rule(expiration)).code).toBe('MalformedXML'); // neither Filter nor Prefix
    expect(refusal(rule(`<Prefix>a</Prefix><Filter><Prefix>a</Prefix></Filter>${expiration}`)).code).toBe('MalformedXML');
    expect(refusal(rule(`<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>${expiration}`)).code).toBe('MalformedXML');
    expect(refusal(rule(`<Filter><Prefix>a</Prefix></Filter><Expiration><Days>soon</Days></Expiration>`)).code).toBe('MalformedXML');
    expect(refusal(rule(`<Filter><Prefix>a</Prefix></Filter><Expiration><Date>20200101</Date></Expiration>`)).code).toBe('MalformedXML');
    expect(refusal(rule(`<Filter><Prefix>a</Prefix></Filter><Expiration></Expiration>`)).code).toBe('MalformedXML');
    expect(refusal(rule(`<Filter><Prefix>a</Prefix></Filter><NoncurrentVersionExpiration><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>`)).code).toBe('MalformedXML');
    expect(refusal(rule(`<Filter><Prefix>a</Prefix></Filter><Unknown>1</Unknown>${expiration}`)).code).toBe('MalformedXML');
    expect(refusal(rule(`<Filter><Tag><Value>v</Value></Tag></Filter>${expiration}`)).code).toBe('MalformedXML');
  });

  it('answers invalid values with S3\'s codes and messages', () => {
    const rule = (inner: string) => doc(`<Rule><ID>r</ID><Status>Enabled</Status>${inner}</Rule>`);
    expect(refusal(rule('<Filter><Prefix>a</Prefix></Filter><Expiration><Days>-3</Days></Expiration>'))).toEqual({
      code: 'InvalidArgument', message: "'Days' for Expiration action must be a positive integer",
    });
    expect(refusal(rule('<Filter><ObjectSizeGreaterThan>-1</ObjectSizeGreaterThan></Filter><Expiration><Days>1</Days></Expiration>'))).toEqual({
      code: 'InvalidRequest', message: "'ObjectSizeGreaterThan' should be between 0 and 1099511627776000.",
    });
    expect(refusal(rule('<Prefix>a</Prefix><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration>'))).toEqual({
      code: 'InvalidRequest', message: 'NewerNoncurrentVersions element can only be used in Lifecycle V2.',
    });
    expect(refusal(doc('<Rule><Prefix>a</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule><Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'))).toEqual({
      code: 'InvalidRequest', message: 'Filter element can only be used in Lifecycle V2.',
    });
    expect(refusal(doc('<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule><Rule><Prefix>a</Prefix><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'))).toEqual({
      code: 'InvalidRequest', message: 'Base level prefix cannot be used in Lifecycle V2, prefixes are only supported in the Filter.',
    });
    expect(refusal(doc('<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>'.repeat(1001))).code).toBe('InvalidRequest');
  });

  it('answers any document built from lifecycle elements with a configuration or an S3 error, never anything else', () => {
    const leaf = fc.oneof(fc.constantFrom('', '0', '1', '-1', '30', 'x', '2030-01-01', '2030-01-01T10:00:00Z', 'Enabled', 'Disabled', 'true', '99999999999999999999'), fc.string({ maxLength: 6 }));
    const names = ['Rule', 'ID', 'Status', 'Prefix', 'Filter', 'And', 'Tag', 'Key', 'Value', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan',
      'Expiration', 'Days', 'Date', 'ExpiredObjectDeleteMarker', 'NoncurrentVersionExpiration', 'NoncurrentDays', 'NewerNoncurrentVersions',
      'AbortIncompleteMultipartUpload', 'DaysAfterInitiation', 'Transition', 'StorageClass'];
    const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const { tree } = fc.letrec<{ tree: string }>((tie) => ({
      tree: fc.oneof(
        { depthSize: 'small' },
        fc.tuple(fc.constantFrom(...names), leaf).map(([n, v]) => `<${n}>${escape(v)}</${n}>`),
        fc.tuple(fc.constantFrom(...names), fc.array(tie('tree'), { maxLength: 4 })).map(([n, kids]) => `<${n}>${kids.join('')}</${n}>`),
      ),
    }));
    fc.assert(fc.property(fc.array(tree, { maxLength: 4 }), (children) => {
      try {
        const parsed = parseLifecycleConfiguration(doc(children.join('')));
        // Whatever is accepted writes back to a document that parses to the same rules.
        expect(parseLifecycleConfiguration(encodeXml('LifecycleConfiguration', lifecycleDocument(parsed)))).toEqual(parsed);
      } catch (e) {
        if (!(e instanceof S3Error) || e.status !== 400) throw e;
      }
    }), { numRuns: 400 });
  });
});
