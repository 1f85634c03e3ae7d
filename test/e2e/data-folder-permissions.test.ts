// Everything under the data folder is private to the server's user whatever the umask, and a folder left open to
// others is reported at start-up.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';

async function modes(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>([['.', (await stat(root)).mode & 0o777]]);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(root, full), (await stat(full)).mode & 0o777);
  }
  return out;
}

describe.skipIf(process.platform === 'win32')('data folder permissions', () => {
  let dataDir: string;
  let previousUmask: number;
  const lines: { level: number; msg?: string; path?: string; mode?: string; file?: string }[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const boot = (): Promise<RunningServer> => startServer(loadConfig({ data: dataDir, host: '127.0.0.1', port: '0' }, {}), log);

  beforeAll(async () => {
    // The most permissive umask: only the modes sklad asks for can keep its files private.
    previousUmask = process.umask(0);
    dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'sklad-perms-')), 'data');
  });
  afterAll(async () => {
    process.umask(previousUmask);
    await rm(path.dirname(dataDir), { recursive: true, force: true });
  });

  it('creates every folder 700 and every file 600 under umask 000', async () => {
    const server = await boot();
    const s3 = new S3Client({
      endpoint: server.url, region: 'us-east-1', forcePathStyle: true,
      credentials: { accessKeyId: server.rootAccessKey, secretAccessKey: server.generatedSecret! },
    });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'private' }));
      await s3.send(new PutObjectCommand({ Bucket: 'private', Key: 'small', Body: 'x' }));
      await s3.send(new PutObjectCommand({ Bucket: 'private', Key: 'large', Body: randomBytes(200 * 1024) }));
      const seen = await modes(dataDir);
      // what the folder must hold for the check to mean anything
      for (const name of ['index.sqlite', 'index.sqlite-wal', 'root-credentials.json', 'master.key', 'sklad.lock', 'blobs', 'tmp', 'audit']) {
        expect(seen.has(name), name).toBe(true);
      }
      expect([...seen.keys()].some((p) => p.startsWith('blobs/') && p.split('/').length === 4), 'a blob file').toBe(true);
      expect([...seen.keys()].some((p) => p.startsWith('audit/') && p.endsWith('.jsonl')), 'an audit file').toBe(true);
      const open = [...seen].filter(([, mode]) => (mode & 0o077) !== 0).map(([p, mode]) => `${p} ${mode.toString(8)}`);
      expect(open).toEqual([]);
      for (const [p, mode] of seen) expect([0o700, 0o600], p).toContain(mode);
    } finally {
      s3.destroy();
      await server.close();
    }
    expect(lines.some((l) => l.level >= 40 && l.msg?.includes('readable by other local users'))).toBe(false);
  });

  it('warns at start-up when an existing data folder is open to others', async () => {
    await chmod(dataDir, 0o755);
    await chmod(path.join(dataDir, 'root-credentials.json'), 0o644);
    lines.length = 0;
    const server = await boot();
    await server.close();
    const warned = lines.filter((l) => l.level === 40 && l.msg?.includes('readable by other local users'));
    expect(warned.map((l) => [l.path, l.mode])).toEqual([
      [dataDir, '755'],
      [path.join(dataDir, 'root-credentials.json'), '644'],
    ]);
  });
});
