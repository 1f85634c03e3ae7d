// Bucket-name and object-key rules.
// Buckets follow "General purpose bucket naming rules" (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html);
// keys follow "Naming Amazon S3 objects": any Unicode whose UTF-8 form is at most 1,024 bytes.

import { S3Error } from '../errors/s3-error.js';
import { codePointName, nonXmlCharIn } from '../xml/chars.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(\.\d{1,3}){3}$/;
// Prefixes and suffixes AWS reserves for punycode, its own services and access-point / directory / table buckets.
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

export const MAX_KEY_BYTES = 1024;

export function isValidBucketName(name: string): boolean {
  return BUCKET_NAME.test(name)
    && !name.includes('..')
    // A dot next to a hyphen would make an invalid DNS label (`a-.b`, `a.-b`): S3 refuses both.
    && !name.includes('.-')
    && !name.includes('-.')
    && !IP_ADDRESS.test(name)
    && !RESERVED_PREFIXES.some((p) => name.startsWith(p))
    && !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

export function validateBucketName(name: string): void {
  if (!isValidBucketName(name)) throw new S3Error('InvalidBucketName', { fields: { BucketName: name } });
}

export function validateObjectKey(key: string): void {
  // Only reachable through bodies and copy sources: an empty key in a URL addresses the bucket instead.
  if (key === '') throw new S3Error('InvalidArgument', { message: 'The object key must not be empty.' });
  // A lone surrogate has no UTF-8 form: S3 answers keys that are not valid UTF-8 with 400 InvalidURI.
  if (/\p{Cs}/u.test(key)) throw new S3Error('InvalidURI');
  const size = Buffer.byteLength(key, 'utf8');
  if (size > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', { fields: { Size: size, MaxSizeAllowed: MAX_KEY_BYTES } });
}

/**
 * A key a write may create: a valid key that XML 1.0 can carry. S3 stores keys with C0 controls, but its
 * XML answers (listings without encoding-type=url, CreateMultipartUpload, CompleteMultipartUpload, ListParts,
 * DeleteObjects, error documents) cannot hold them and clients fail to parse them; sklad refuses such keys
 * when they would come to exist, so every answer naming a key stays valid XML.
 */
export function validateNewObjectKey(key: string): void {
  validateObjectKey(key);
  const char = nonXmlCharIn(key);
  if (char !== undefined) {
    throw new S3Error('InvalidArgument', {
      message: `Object keys may not contain ${codePointName(char)}: XML 1.0 cannot carry it, so no listing could return the key.`,
      fields: { ArgumentName: 'key' },
    });
  }
}
