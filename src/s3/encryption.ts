// Server-side encryption on the wire: the SSE-S3 (x-amz-server-side-encryption) and SSE-C
// (x-amz-server-side-encryption-customer-*) headers validated with S3's error codes and messages, which
// encryption a new object gets, and which key opens a stored one.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html
import { createHash } from 'node:crypto';
import { keyVerifier, matchesVerifier } from '../crypto/customer-key.js';
import { Keyring } from '../crypto/keyring.js';
import { S3Error } from '../errors/s3-error.js';
import type { DefaultEncryption, ObjectEncryption, UploadRecord } from '../storage/metadata-index.js';
import type { S3Context } from './context.js';

export const SSE_HEADER = 'x-amz-server-side-encryption';
const CUSTOMER_PREFIX = { request: 'x-amz-server-side-encryption-customer-', 'copy-source': 'x-amz-copy-source-server-side-encryption-customer-' };
const KMS_ONLY_HEADERS = ['x-amz-server-side-encryption-aws-kms-key-id', 'x-amz-server-side-encryption-context'];

/** Which SSE-C header set: the request's own, or the copy source's (CopyObject, UploadPartCopy). */
export type KeyHeaders = keyof typeof CUSTOMER_PREFIX;

export interface CustomerKey {
  key: Buffer;
  /** base64 MD5 of the key, as the client sent it */
  keyMd5: string;
}

/** What a write asked for; validated, nothing generated yet. */
export interface EncryptionRequest {
  sse?: 'AES256';
  customer?: CustomerKey;
}

/** The encryption a new object or upload gets. */
export interface TargetEncryption {
  /** Stored with the record; undefined for plaintext. */
  record?: ObjectEncryption;
  /** Encrypts the blobs. */
  dataKey?: Buffer;
  /** Echoed back for SSE-C. */
  customerKeyMd5?: string;
}

function sseArgument(value: string | undefined): Record<string, string> {
  return { ArgumentName: SSE_HEADER, ArgumentValue: value ?? 'null' };
}

function customerKeyError(what: string): S3Error {
  return new S3Error('InvalidArgument', { message: `Requests specifying Server Side Encryption with Customer provided keys must provide ${what}.`, fields: sseArgument(undefined) });
}

/**
 * The SSE-C key a request carries, checked as S3 does: secure transport, AES256, key and MD5 present,
 * MD5 matching (checked before the length). Reads pass `forRead`: a key of the wrong length there is
 * simply the wrong key (AccessDenied), as on S3.
 */
export function customerKeyFrom(ctx: S3Context, which: KeyHeaders, forRead = false): CustomerKey | undefined {
  const prefix = CUSTOMER_PREFIX[which];
  const algorithm = ctx.headers.get(`${prefix}algorithm`);
  const key = ctx.headers.get(`${prefix}key`);
  const keyMd5 = ctx.headers.get(`${prefix}key-md5`);
  if (algorithm === undefined && key === undefined && keyMd5 === undefined) return undefined;
  if (!ctx.secure && !ctx.settings.allowInsecureSseC) {
    throw new S3Error('InvalidRequest', { message: 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.' });
  }
  if (algorithm === undefined) throw customerKeyError('a valid encryption algorithm');
  if (algorithm !== 'AES256') throw new S3Error('InvalidEncryptionAlgorithmError', { fields: sseArgument(algorithm) });
  if (key === undefined || key === '') throw customerKeyError('an appropriate secret key');
  if (keyMd5 === undefined || keyMd5 === '') throw customerKeyError('the client calculated MD5 of the secret key');
  const decoded = Buffer.from(key, 'base64');
  if (createHash('md5').update(decoded).digest('base64') !== keyMd5.trim()) {
    throw new S3Error('InvalidArgument', { message: 'The calculated MD5 hash of the key did not match the hash that was provided.', fields: sseArgument(undefined) });
  }
  if (decoded.length !== 32 && !forRead) {
    throw new S3Error('InvalidArgument', { message: 'The secret key was invalid for the specified algorithm.', fields: sseArgument(undefined) });
  }
  return { key: decoded, keyMd5: keyMd5.trim() };
}

/** x-amz-server-side-encryption on a write: AES256, or a clear refusal. */
function requestedSse(ctx: S3Context): 'AES256' | undefined {
  const value = ctx.headers.get(SSE_HEADER);
  const kmsOnly = KMS_ONLY_HEADERS.find((h) => ctx.headers.has(h));
  if (value === 'aws:kms' || value === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', {
      message: `Server-side encryption with AWS KMS keys (${value}) is not supported by this server: use AES256 (SSE-S3) or customer-provided keys (SSE-C).`,
    });
  }
  if (value !== undefined && value !== 'AES256') {
    throw new S3Error('InvalidArgument', { message: 'The encryption method specified is not supported', fields: sseArgument(value) });
  }
  if (kmsOnly !== undefined) {
    throw new S3Error('InvalidArgument', {
      message: 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms',
      fields: { ArgumentName: kmsOnly, ArgumentValue: ctx.headers.get(kmsOnly) ?? '' },
    });
  }
  return value;
}

/** The encryption headers of a write (PutObject, CreateMultipartUpload, CopyObject's destination). */
export function encryptionRequestFrom(ctx: S3Context): EncryptionRequest {
  const sse = ctx.headers.get(SSE_HEADER);
  const prefix = CUSTOMER_PREFIX.request;
  if (sse !== undefined && ['algorithm', 'key', 'key-md5'].some((h) => ctx.headers.has(prefix + h))) {
    throw new S3Error('InvalidArgument', { message: 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified', fields: sseArgument(sse) });
  }
  const customer = customerKeyFrom(ctx, 'request');
  if (customer !== undefined) return { customer };
  const requested = requestedSse(ctx);
  return requested === undefined ? {} : { sse: requested };
}

/**
 * Whether a write asking `request` ends up SSE-S3: asked for, or by default — the bucket's default
 * encryption, else the operator's --encrypt-all. SSE-C requests are never overridden.
 */
export function wantsSseS3(ctx: S3Context, request: EncryptionRequest, bucketDefault: DefaultEncryption | undefined): boolean {
  if (request.customer !== undefined) return false;
  return request.sse === 'AES256' || bucketDefault === 'AES256' || ctx.settings.encryptAll;
}

/** A fresh encryption for a new object or upload: a new wrapped data key, or the customer's key. */
export function newTargetEncryption(ctx: S3Context, request: EncryptionRequest, bucketDefault = ctx.bucketRecord?.defaultEncryption): TargetEncryption {
  if (request.customer !== undefined) {
    const { key, keyMd5 } = request.customer;
    return { record: { mode: 'SSE-C', ...keyVerifier(key), keyMd5 }, dataKey: key, customerKeyMd5: keyMd5 };
  }
  if (!wantsSseS3(ctx, request, bucketDefault)) return {};
  const dataKey = Keyring.newDataKey();
  return { record: { mode: 'SSE-S3', ...ctx.keyring.wrap(dataKey) }, dataKey };
}

/** Headers a response about an object (or part) stored with `encryption` carries. */
export function encryptionHeaders(encryption: ObjectEncryption | undefined, customerKeyMd5?: string): Record<string, string> {
  if (encryption === undefined) return {};
  if (encryption.mode === 'SSE-S3') return { [SSE_HEADER]: 'AES256' };
  return {
    'x-amz-server-side-encryption-customer-algorithm': 'AES256',
    'x-amz-server-side-encryption-customer-key-md5': customerKeyMd5 ?? encryption.keyMd5,
  };
}

/** Reads and part uploads do not take x-amz-server-side-encryption: S3 answers 400. */
export function refuseSseHeader(ctx: S3Context): void {
  const value = ctx.headers.get(SSE_HEADER);
  if (value !== undefined) {
    throw new S3Error('InvalidArgument', { message: 'x-amz-server-side-encryption header is not supported for this operation.', fields: sseArgument(value) });
  }
}

/**
 * Checks the SSE-C headers (`which`) of a read against how the object is stored and returns the key
 * they carry: required for SSE-C objects (and must be the right one), refused for any other object.
 */
export function readAccess(ctx: S3Context, encryption: ObjectEncryption | undefined, which: KeyHeaders): CustomerKey | undefined {
  const customer = customerKeyFrom(ctx, which, true);
  if (encryption?.mode === 'SSE-C') {
    if (customer === undefined) {
      throw new S3Error('InvalidRequest', { message: 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.' });
    }
    if (!matchesVerifier(customer.key, encryption)) {
      throw new S3Error('AccessDenied', { message: 'Requests specifying Server Side Encryption with Customer provided keys must provide the correct secret key.' });
    }
    return customer;
  }
  if (customer !== undefined) throw new S3Error('InvalidRequest', { message: 'The encryption parameters are not applicable to this object.' });
  return undefined;
}

/** The data key of blobs stored with `encryption`; `customer` is the key `readAccess` accepted. */
export function dataKeyOf(ctx: S3Context, encryption: ObjectEncryption | undefined, customer: CustomerKey | undefined): Buffer | undefined {
  if (encryption === undefined) return undefined;
  if (encryption.mode === 'SSE-S3') return ctx.keyring.unwrap(encryption);
  if (customer === undefined) throw new Error('an SSE-C object read without its checked key');
  return customer.key;
}

/**
 * UploadPart and UploadPartCopy write with the upload's encryption: an SSE-C upload needs the same key
 * on every part, others take no key. Returns the data key and the response headers.
 */
export function partEncryption(ctx: S3Context, upload: UploadRecord): { dataKey?: Buffer; headers: Record<string, string> } {
  refuseSseHeader(ctx);
  const customer = customerKeyFrom(ctx, 'request');
  const encryption = upload.encryption;
  const initiateAsked = (): S3Error => new S3Error('InvalidRequest', {
    message: 'The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.',
  });
  if (encryption?.mode === 'SSE-C') {
    if (customer === undefined) throw initiateAsked();
    if (!matchesVerifier(customer.key, encryption)) {
      throw new S3Error('InvalidRequest', { message: 'The provided encryption parameters did not match the ones used originally.' });
    }
    return { dataKey: customer.key, headers: encryptionHeaders(encryption, customer.keyMd5) };
  }
  if (customer !== undefined) throw initiateAsked();
  return { dataKey: dataKeyOf(ctx, encryption, undefined), headers: encryptionHeaders(encryption) };
}
