import { randomBytes } from 'node:crypto';
import { Agent } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { makeCertificate, type TestCertificate } from '../support/certificates.js';
import { startChild, type ChildServer } from '../support/child-server.js';
import { isolatedAwsEnv, requireAwsCli, run, type IsolatedAwsEnv } from '../support/external-clients.js';
import { connectTls, get, servedFingerprint } from '../support/raw-http.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../support/server.js';

let dir: string;
let first: TestCertificate;
let server: ChildServer;
const certFile = (): string => path.join(dir, 'cert.pem');
const keyFile = (): string => path.join(dir, 'key.pem');
const clients: S3Client[] = [];

async function install(c: TestCertificate | { cert: string; key: string }): Promise<void> {
  await writeFile(keyFile(), c.key, { mode: 0o600 });
  await writeFile(certFile(), c.cert);
}

function s3(ca: string): S3Client {
  const client = new S3Client({
    endpoint: server.url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
    requestHandler: new NodeHttpHandler({ httpsAgent: new Agent({ ca }) }),
  });
  clients.push(client);
  return client;
}

/** Bounded polling: new TLS connections until one is served the wanted certificate. */
async function waitForServedCertificate(fingerprint: string): Promise<void> {
  let seen = '';
  for (let i = 0; i < 200; i++) {
    seen = await servedFingerprint(server.port);
    if (seen === fingerprint) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`new connections still see ${seen}, not ${fingerprint}`);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sklad-tls-'));
  first = await makeCertificate();
  await install(first);
  server = await startChild(['--data', path.join(dir, 'data'), '--host', '127.0.0.1', '--port', '0', '--log-level', 'info', '--tls-cert', certFile(), '--tls-key', keyFile()], {
    SKLAD_ACCESS_KEY: ACCESS_KEY,
    SKLAD_SECRET_KEY: SECRET_KEY,
  });
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  if (server) expect(await server.stop()).toBe(0);
  await rm(dir, { recursive: true, force: true });
});

describe('TLS', () => {
  it('announces an https URL and logs that TLS is on', () => {
    expect(server.url).toMatch(/^https:\/\//);
    expect(server.output()).toMatch(/"tls":true/);
    expect(server.output()).toContain(first.fingerprint256);
  });

  it('has `sklad healthcheck` follow the TLS setting (what the Docker HEALTHCHECK runs)', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { bin, cleanEnv } = await import('../support/child-server.js');
    const check = (env: Record<string, string>) =>
      promisify(execFile)(process.execPath, [bin, 'healthcheck'], { env: cleanEnv(env) }).then(() => 0, (e: { code: number }) => e.code);
    const settings = { SKLAD_HOST: '0.0.0.0', SKLAD_PORT: String(server.port), SKLAD_TLS_CERT: certFile(), SKLAD_TLS_KEY: keyFile() };
    expect(await check(settings)).toBe(0);
    // The same port spoken to in plain HTTP is not a healthy answer.
    expect(await check({ SKLAD_HOST: '127.0.0.1', SKLAD_PORT: String(server.port) })).toBe(1);
  });

  it('serves the AWS SDK v3 over HTTPS when it trusts the certificate', async () => {
    const client = s3(first.cert);
    await client.send(new CreateBucketCommand({ Bucket: 'tls-sdk' }));
    await client.send(new PutObjectCommand({ Bucket: 'tls-sdk', Key: 'hello.txt', Body: 'over tls' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'tls-sdk', Key: 'hello.txt' }));
    expect(await got.Body!.transformToString()).toBe('over tls');
  });

  it('is refused by a client that does not trust the certificate', async () => {
    const client = new S3Client({ endpoint: server.url, region: REGION, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY }, maxAttempts: 1 });
    clients.push(client);
    await expect(client.send(new CreateBucketCommand({ Bucket: 'untrusted' }))).rejects.toThrow(/certificate/i);
  });

  it('accepts SSE-C over TLS without --allow-insecure-sse-c', async () => {
    const client = s3(first.cert);
    await client.send(new CreateBucketCommand({ Bucket: 'tls-ssec' }));
    const key = randomBytes(32).toString('base64');
    const sse = { SSECustomerAlgorithm: 'AES256', SSECustomerKey: key };
    await client.send(new PutObjectCommand({ Bucket: 'tls-ssec', Key: 'secret', Body: 'customer keyed', ...sse }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'tls-ssec', Key: 'secret', ...sse }));
    expect(await got.Body!.transformToString()).toBe('customer keyed');
  });

  describe('aws cli', () => {
    let aws: IsolatedAwsEnv;
    beforeAll(async () => {
      aws = await isolatedAwsEnv();
    });
    afterAll(() => aws.cleanup());

    it('creates a bucket, puts and gets an object with --ca-bundle', async () => {
      requireAwsCli();
      const base = ['--endpoint-url', server.url, '--ca-bundle', certFile()];
      const env = aws.env();
      const local = path.join(aws.dir, 'upload.txt');
      await writeFile(local, 'from the aws cli over tls\n');
      const mb = await run('aws', [...base, 's3', 'mb', 's3://tls-cli'], { env });
      expect(mb.code, mb.stderr).toBe(0);
      expect((await run('aws', [...base, 's3', 'cp', local, 's3://tls-cli/upload.txt'], { env })).code).toBe(0);
      const got = await run('aws', [...base, 's3', 'cp', 's3://tls-cli/upload.txt', '-'], { env });
      expect(got.code).toBe(0);
      expect(got.stdout).toBe('from the aws cli over tls\n');
      // Without the bundle the cli must refuse the self-signed certificate.
      const untrusted = await run('aws', ['--endpoint-url', server.url, 's3', 'ls', 's3://tls-cli', '--cli-read-timeout', '5'], { env: aws.env({ AWS_MAX_ATTEMPTS: '1' }) });
      expect(untrusted.code).not.toBe(0);
      expect(untrusted.stderr).toMatch(/SSL|certificate/i);
    });
  });

  it('swaps the certificate on SIGHUP for new connections while open connections keep working; a bad one is refused', async () => {
    const open = await connectTls(server.port, first.cert);
    open.write(get('/health/live'));
    expect((await open.response()).status).toBe(200);
    expect(open.fingerprint256).toBe(first.fingerprint256);

    const second = await makeCertificate();
    expect(second.fingerprint256).not.toBe(first.fingerprint256);
    await install(second);
    server.child.kill('SIGHUP');
    await waitForServedCertificate(second.fingerprint256);
    expect((await server.waitForOutput(/.*TLS certificate reloaded.*/))[0]).toContain(second.fingerprint256);

    // The connection opened before the reload is still alive and served with the old certificate.
    open.write(get('/health/ready'));
    const again = await open.response();
    expect(again.status).toBe(200);
    expect(open.socket.destroyed).toBe(false);
    open.close();

    // A client trusting only the new certificate now works.
    const client = s3(second.cert);
    await client.send(new PutObjectCommand({ Bucket: 'tls-sdk', Key: 'after-reload', Body: 'rotated' }));

    // A broken certificate file: the reload fails, is logged, and the previous certificate stays in service.
    await install({ cert: '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n', key: second.key });
    server.child.kill('SIGHUP');
    await server.waitForOutput(/TLS certificate reload failed/);
    expect(await servedFingerprint(server.port)).toBe(second.fingerprint256);
    // A certificate with someone else's key is refused the same way.
    const third = await makeCertificate();
    await install({ cert: third.cert, key: second.key });
    const failuresBefore = server.output().match(/TLS certificate reload failed/g)!.length;
    server.child.kill('SIGHUP');
    await server.waitForOutput(new RegExp(`(TLS certificate reload failed[\\s\\S]*){${failuresBefore + 1}}`));
    expect(await servedFingerprint(server.port)).toBe(second.fingerprint256);
    expect(server.child.exitCode).toBeNull();
  });
});

describe('TLS settings', () => {
  it('refuses a certificate without its key, and a key that does not match', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { bin, cleanEnv } = await import('../support/child-server.js');
    const other = await makeCertificate();
    const otherKey = path.join(dir, 'other-key.pem');
    await writeFile(otherKey, other.key, { mode: 0o600 });
    const attempt = (args: string[]) =>
      promisify(execFile)(process.execPath, [bin, 'serve', '--data', path.join(dir, 'refused'), '--host', '127.0.0.1', '--port', '0', ...args], { env: cleanEnv() }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => e,
      );
    const alone = await attempt(['--tls-cert', certFile()]);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/give --tls-cert and --tls-key/);
    const mismatched = await attempt(['--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', otherKey]);
    expect(mismatched.code).toBe(2);
    expect(mismatched.stderr).toMatch(/not a usable private key/);
  });
});
