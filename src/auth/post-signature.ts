// Who signed a browser form upload: SigV4 (x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature over
// the base64 policy) or SigV2 (AWSAccessKeyId, signature: HMAC-SHA1 of the policy), or nobody. Pure: the
// caller hands in the form fields (names lower-cased); the access key is looked up in the credential store.
import { createHmac } from 'node:crypto';
import { S3Error } from '../errors/s3-error.js';
import { ANONYMOUS, type CredentialStore, type Principal } from './credentials.js';
import { hexSignature, macsEqual, signatureMismatch } from './signature-check.js';
import { ALGORITHM } from './sigv4/parse.js';
import { deriveSigningKey, hmacSha256 } from './sigv4/signing-key.js';

export interface PostSigner {
  principal: Principal;
  /** The base64 policy the signature covers; absent for an anonymous form. */
  policy?: string;
}

function missingField(name: string): S3Error {
  return new S3Error('InvalidArgument', {
    message: `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
    fields: { ArgumentName: name, ArgumentValue: '' },
  });
}

function required(fields: Map<string, string>, name: string): string {
  const value = fields.get(name);
  if (value === undefined || value === '') throw missingField(name);
  return value;
}

async function credentialFor(credentials: CredentialStore, accessKeyId: string): Promise<{ secretKey: string; principal: Principal }> {
  const credential = await credentials.lookup(accessKeyId);
  if (credential === undefined) throw new S3Error('InvalidAccessKeyId', { fields: { AWSAccessKeyId: accessKeyId } });
  return credential;
}

async function sigV4(fields: Map<string, string>, credentials: CredentialStore, region: string | undefined): Promise<PostSigner> {
  const algorithm = required(fields, 'x-amz-algorithm');
  if (algorithm !== ALGORITHM) {
    throw new S3Error('InvalidArgument', { message: 'Only AWS4-HMAC-SHA256 is supported', fields: { ArgumentName: 'x-amz-algorithm', ArgumentValue: algorithm } });
  }
  const credential = required(fields, 'x-amz-credential');
  const amzDate = required(fields, 'x-amz-date');
  const signature = required(fields, 'x-amz-signature');
  const policy = required(fields, 'policy');
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !/^\d{8}$/.test(parts[1]!) || parts[3] !== 's3') {
    throw new S3Error('InvalidArgument', { message: `Invalid credential: ${credential}`, fields: { ArgumentName: 'x-amz-credential', ArgumentValue: credential } });
  }
  const [accessKeyId, date, scopeRegion] = parts as [string, string, string, string, string];
  if (!amzDate.startsWith(date)) {
    throw new S3Error('InvalidArgument', { message: 'The x-amz-date does not match the date of the credential.', fields: { ArgumentName: 'x-amz-date', ArgumentValue: amzDate } });
  }
  if (region !== undefined && scopeRegion !== region) {
    throw new S3Error('AuthorizationQueryParametersError', { message: `Error parsing the X-Amz-Credential parameter; the region '${scopeRegion}' is wrong; expecting '${region}'`, fields: { Region: region } });
  }
  const { secretKey, principal } = await credentialFor(credentials, accessKeyId);
  const expected = hmacSha256(deriveSigningKey(secretKey, date, scopeRegion, 's3'), policy);
  if (!macsEqual(expected, hexSignature(signature))) {
    throw signatureMismatch({ accessKeyId, stringToSign: policy, signatureProvided: signature });
  }
  return { principal, policy };
}

async function sigV2(fields: Map<string, string>, credentials: CredentialStore): Promise<PostSigner> {
  const accessKeyId = required(fields, 'awsaccesskeyid');
  const signature = required(fields, 'signature');
  const policy = required(fields, 'policy');
  const { secretKey, principal } = await credentialFor(credentials, accessKeyId);
  const expected = createHmac('sha1', secretKey).update(policy, 'utf8').digest();
  if (!macsEqual(expected, Buffer.from(signature, 'base64'))) {
    throw signatureMismatch({ accessKeyId, stringToSign: policy, signatureProvided: signature });
  }
  return { principal, policy };
}

/**
 * The principal a form speaks for. A form without any signature field is anonymous (and needs no policy).
 * `region`: the configured region a SigV4 scope must name; undefined accepts any, as for signed requests.
 */
export async function authenticatePostForm(fields: Map<string, string>, credentials: CredentialStore, region: string | undefined): Promise<PostSigner> {
  if (['x-amz-signature', 'x-amz-credential', 'x-amz-algorithm'].some((f) => fields.has(f))) return sigV4(fields, credentials, region);
  if (fields.has('awsaccesskeyid') || fields.has('signature')) return sigV2(fields, credentials);
  if (fields.has('policy')) throw missingField('x-amz-signature');
  return { principal: ANONYMOUS };
}
