// Constant-time signature comparison and the SignatureDoesNotMatch error with AWS's diagnostic fields.
import { timingSafeEqual } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';

/** Compares two MACs without leaking, through timing, how long a prefix matched. */
export function macsEqual(expected: Buffer, provided: Buffer): boolean {
  return expected.length === provided.length && timingSafeEqual(expected, provided);
}

/** Decodes a lower- or upper-case hex signature; an empty buffer when it is not 64 hex digits. */
export function hexSignature(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.alloc(0);
}

/** "41 57 53 34 …": how AWS spells StringToSignBytes and CanonicalRequestBytes. */
export function spacedHexBytes(text: string | Buffer): string {
  return (typeof text === 'string' ? Buffer.from(text, 'utf8') : text).toString('hex').replace(/(..)(?!$)/g, '$1 ');
}

export interface MismatchDetails {
  accessKeyId?: string;
  stringToSign: string;
  signatureProvided: string;
  canonicalRequest?: string;
  /** The canonical request's bytes as hashed, when they are not its UTF-8 form. */
  canonicalRequestBytes?: Buffer;
  message?: string;
}

export function signatureMismatch(details: MismatchDetails): S3Error {
  const fields: Record<string, string> = {};
  if (details.accessKeyId !== undefined) fields.AWSAccessKeyId = details.accessKeyId;
  fields.StringToSign = details.stringToSign;
  fields.SignatureProvided = details.signatureProvided;
  fields.StringToSignBytes = spacedHexBytes(details.stringToSign);
  if (details.canonicalRequest !== undefined) {
    fields.CanonicalRequest = details.canonicalRequest;
    fields.CanonicalRequestBytes = spacedHexBytes(details.canonicalRequestBytes ?? details.canonicalRequest);
  }
  return new S3Error('SignatureDoesNotMatch', { message: details.message, fields });
}
