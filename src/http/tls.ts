// TLS certificate and key loading. Both files are read and checked together (a key that does not match the
// certificate fails here, not at the first client handshake), so a reload can refuse a bad pair and keep serving
// with the old one.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext, type SecureContext } from 'node:tls';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  context: SecureContext;
  /** SHA-256 fingerprint of the leaf certificate, logged so an operator can tell which one is served. */
  fingerprint: string;
  validTo: string;
}

export class TlsMaterialError extends Error {}

export async function loadTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  let cert: Buffer;
  let key: Buffer;
  try {
    [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  } catch (e) {
    throw new TlsMaterialError(`cannot read the TLS certificate or key: ${(e as Error).message}`);
  }
  let leaf: X509Certificate;
  let context: SecureContext;
  try {
    leaf = new X509Certificate(cert);
  } catch (e) {
    throw new TlsMaterialError(`${files.certFile} is not a PEM certificate: ${(e as Error).message}`);
  }
  try {
    context = createSecureContext({ cert, key });
  } catch (e) {
    throw new TlsMaterialError(`${files.keyFile} is not a usable private key for ${files.certFile}: ${(e as Error).message}`);
  }
  return { cert, key, context, fingerprint: leaf.fingerprint256, validTo: leaf.validTo };
}
