import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const bin = path.resolve('bin/sklad');
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
}

/** Starts `sklad serve` as a child process and waits for its listening line. */
async function serve(dataDir: string, env: Record<string, string> = {}): Promise<Started> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SKLAD_')));
  const child = spawn(process.execPath, [bin, 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn'], {
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line: ${output}`)), 15_000);
    child.stdout!.on('data', () => {
      const m = /sklad listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
  });
  return { child, port, output: () => output };
}

async function stop(s: Started): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
  s.child.kill('SIGTERM');
  return exited;
}

describe('sklad command line', () => {
  it('explains itself', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'serve', '--help']);
    for (const flag of ['--data', '--host', '--port', '--region', '--domain', 'SKLAD_ACCESS_KEY']) expect(stdout).toContain(flag);
    const main = await promisify(execFile)(process.execPath, [bin, '--help']);
    expect(main.stdout).toContain('sklad serve');
  });

  it('refuses an unknown flag with a usage error', async () => {
    await expect(promisify(execFile)(process.execPath, [bin, 'serve', '--bogus'])).rejects.toMatchObject({ code: 2 });
  });

  it('generates root credentials once, keeps the secret out of a piped stdout, reuses them after a restart, and stops on SIGTERM', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-cli-'));
    dirs.push(dataDir);
    const first = await serve(dataDir);
    const stored = JSON.parse(await readFile(path.join(dataDir, 'root-credentials.json'), 'utf8')) as { accessKey: string; secretKey: string };
    const access = stored.accessKey;
    const secret = stored.secretKey;
    expect(secret.length).toBeGreaterThanOrEqual(32);
    // stdout is a pipe here (as under a service manager): the secret is in the file only, and the log says which
    expect(first.output()).not.toContain(secret);
    expect(first.output()).toContain(path.join(dataDir, 'root-credentials.json'));
    expect((await stat(path.join(dataDir, 'root-credentials.json'))).mode & 0o777).toBe(0o600);
    const client = (port: number) => new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: access!, secretAccessKey: secret! } });
    const c1 = client(first.port);
    await c1.send(new CreateBucketCommand({ Bucket: 'survives' }));
    c1.destroy();
    expect(await stop(first)).toBe(0);

    const second = await serve(dataDir);
    expect(second.output()).not.toContain('secret key');
    const c2 = client(second.port);
    const buckets = await c2.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toEqual(['survives']);
    c2.destroy();
    expect(await stop(second)).toBe(0);
    expect(JSON.parse(await readFile(path.join(dataDir, 'root-credentials.json'), 'utf8')).accessKey).toBe(access);
  });

  it('uses SKLAD_ACCESS_KEY / SKLAD_SECRET_KEY when given', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-cli-'));
    dirs.push(dataDir);
    const s = await serve(dataDir, { SKLAD_ACCESS_KEY: 'operatorkey', SKLAD_SECRET_KEY: 'operatorsecret123' });
    expect(s.output()).not.toContain('secret key');
    const c = new S3Client({ endpoint: `http://127.0.0.1:${s.port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'operatorkey', secretAccessKey: 'operatorsecret123' } });
    await c.send(new ListBucketsCommand({}));
    c.destroy();
    expect(await stop(s)).toBe(0);
  });

  it('stops on SIGTERM after uploads large enough to be hashed off the event loop', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-cli-'));
    dirs.push(dataDir);
    const s = await serve(dataDir, { SKLAD_ACCESS_KEY: 'operatorkey', SKLAD_SECRET_KEY: 'operatorsecret123' });
    const c = new S3Client({ endpoint: `http://127.0.0.1:${s.port}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'operatorkey', secretAccessKey: 'operatorsecret123' } });
    await c.send(new CreateBucketCommand({ Bucket: 'large' }));
    await c.send(new PutObjectCommand({ Bucket: 'large', Key: 'k', Body: Buffer.alloc(3 * 1024 * 1024, 7) }));
    c.destroy();
    expect(await stop(s)).toBe(0);
  });
});
