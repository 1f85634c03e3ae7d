// Self-signed certificates for 127.0.0.1 and localhost, made at test time. The `selfsigned` package needs
// nothing from the machine; the openssl command is the fallback when the package cannot be loaded.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface TestCertificate {
  cert: string;
  key: string;
  /** SHA-256 fingerprint in Node's `AA:BB:…` form, as `TLSSocket.getPeerX509Certificate().fingerprint256` reports. */
  fingerprint256: string;
}

const SUBJECT = 'localhost';

async function withSelfsigned(): Promise<{ cert: string; key: string } | undefined> {
  let generate: ((attrs: unknown, options: unknown) => Promise<{ cert: string; private: string }>) | undefined;
  try {
    generate = ((await import('selfsigned')) as unknown as { generate: typeof generate }).generate;
  } catch {
    return undefined;
  }
  const now = new Date(Date.now() - 60_000);
  const pems = await generate!([{ name: 'commonName', value: SUBJECT }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 2 * 24 * 3600 * 1000),
    // Its own trust anchor: a self-signed CA certificate that also names the server, like `openssl req -x509`.
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

async function withOpenssl(): Promise<{ cert: string; key: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sklad-cert-'));
  try {
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', `/CN=${SUBJECT}`, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    ]);
    return { cert: await readFile(path.join(dir, 'cert.pem'), 'utf8'), key: await readFile(path.join(dir, 'key.pem'), 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function makeCertificate(): Promise<TestCertificate> {
  const pair = (await withSelfsigned()) ?? (await withOpenssl());
  return { ...pair, fingerprint256: new X509Certificate(pair.cert).fingerprint256 };
}
