// SqliteMetadataIndex: SQLite-specific schema checks and a 100k-key listing (the shared contract runs in test/contract/).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bucketRecord, objectRecord, uploadRecord } from '../../../test/contract/records.js';
import { migrations } from './migrations.js';
import { SqliteMetadataIndex } from './sqlite-metadata-index.js';

const dirs: string[] = [];

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sklad-index-'));
  dirs.push(dir);
  return join(dir, 'index.db');
}

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('SqliteMetadataIndex', () => {
  it('opens in WAL mode at the latest schema version', async () => {
    const file = await tempFile();
    const index = SqliteMetadataIndex.open(file);
    await index.close();
    const db = new Database(file);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    } finally {
      db.close();
    }
  });

  it('keeps its data across reopening, and migrating again is a no-op', async () => {
    const file = await tempFile();
    const first = SqliteMetadataIndex.open(file);
    await first.createBucket({ name: 'b', owner: 'o', region: 'r', createdAt: new Date(5), acl: 'private', versioning: 'Unversioned' });
    await first.close();
    const second = SqliteMetadataIndex.open(file);
    expect((await second.getBucket('b'))?.createdAt).toEqual(new Date(5));
    await second.close();
  });

  it('migrates users whose names differ only in case: both stay, no third spelling can be added', async () => {
    const file = await tempFile();
    const db = new Database(file);
    for (const step of migrations.slice(0, 6)) db.exec(step);
    db.pragma('user_version = 6');
    db.prepare('INSERT INTO users (name, created_at) VALUES (?, ?)').run('bob', 1);
    db.prepare('INSERT INTO users (name, created_at) VALUES (?, ?)').run('Bob', 2);
    db.close();
    const index = SqliteMetadataIndex.open(file);
    try {
      expect((await index.identity().listUsers()).map((u) => u.name).sort()).toEqual(['Bob', 'bob']);
      await expect(index.identity().createUser({ name: 'BOB', createdAt: new Date() })).rejects.toMatchObject({ code: 'EntityAlreadyExists' });
      await index.identity().createUser({ name: 'carol', createdAt: new Date() });
    } finally {
      await index.close();
    }
    // the rule holds in the database itself, whatever writes to it
    const raw = new Database(file);
    expect(() => raw.prepare('INSERT INTO users (name, created_at) VALUES (?, ?)').run('CAROL', 3)).toThrow(/another case/);
    raw.close();
  });

  it('refuses a database from a newer schema', async () => {
    const file = await tempFile();
    const db = new Database(file);
    db.pragma(`user_version = ${migrations.length + 1}`);
    db.close();
    expect(() => SqliteMetadataIndex.open(file)).toThrow(/newer/);
  });

  it('migrates a database from before encryption at rest: existing records read as plaintext', async () => {
    const file = await tempFile();
    const db = new Database(file);
    db.exec(migrations[0]!);
    db.exec(migrations[1]!);
    db.pragma('user_version = 2');
    db.exec(`INSERT INTO buckets (name, owner, region, created_at, acl) VALUES ('old', 'o', 'r', 1, 'private');
      INSERT INTO objects (bucket, key, version_id, size, etag, last_modified, owner, storage_class, acl)
        VALUES ('old', 'k', 'null', 0, 'e', 2, 'o', 'STANDARD', 'private');
      INSERT INTO uploads (upload_id, bucket, key, initiated, owner, storage_class, acl) VALUES ('u', 'old', 'k', 3, 'o', 'STANDARD', 'private');`);
    db.close();
    const index = SqliteMetadataIndex.open(file);
    const object = await index.getObject('old', 'k');
    expect(object && 'encryption' in object).toBe(false);
    const upload = await index.getUpload('old', 'k', 'u');
    expect(upload && 'encryption' in upload).toBe(false);
    expect((await index.getBucket('old'))?.defaultEncryption).toBeUndefined();
    await index.patchBucket('old', { defaultEncryption: 'AES256' });
    expect((await index.getBucket('old'))?.defaultEncryption).toBe('AES256');
    await index.close();
  });

  it('gives buckets made before object ownership existed BucketOwnerEnforced', async () => {
    const file = await tempFile();
    const db = new Database(file);
    for (const step of migrations.slice(0, 7)) db.exec(step);
    db.pragma('user_version = 7');
    db.exec(`INSERT INTO buckets (name, owner, region, created_at, acl) VALUES ('old', 'o', 'r', 1, 'public-read');`);
    db.close();
    const index = SqliteMetadataIndex.open(file);
    expect((await index.getBucket('old'))?.objectOwnership).toBe('BucketOwnerEnforced');
    await index.close();
  });

  it('migrates open uploads into the quota counters: their parts count, and Complete does not count them twice', async () => {
    const file = await tempFile();
    const db = new Database(file);
    for (const step of migrations.slice(0, 8)) db.exec(step);
    db.pragma('user_version = 8');
    db.exec(`INSERT INTO buckets (name, owner, region, created_at, acl, quota_max_bytes) VALUES ('old', 'o', 'r', 1, 'private', 100);
      INSERT INTO uploads (upload_id, bucket, key, initiated, owner, storage_class, acl) VALUES ('u', 'old', 'k', 3, 'o', 'STANDARD', 'private');
      INSERT INTO upload_parts (upload_id, part_number, blob_id, size, etag, last_modified) VALUES ('u', 1, 'b1', 60, 'e', 4), ('u', 2, 'b2', 30, 'e', 4);`);
    db.close();
    const index = SqliteMetadataIndex.open(file);
    try {
      await expect(index.putObject(objectRecord('old', 'other', { size: 11 }))).rejects.toMatchObject({ code: 'QuotaExceeded' });
      await expect(index.createUpload(uploadRecord('old', 'k2'), 1)).rejects.toMatchObject({ code: 'QuotaExceeded' });
      await index.completeUpload('u', objectRecord('old', 'k', { size: 90, blobs: [{ id: 'b1', size: 60 }, { id: 'b2', size: 30 }] }));
      expect(await index.bucketUsage('old')).toEqual({ objects: 1, bytes: 90 });
      await index.putObject(objectRecord('old', 'other', { size: 10 }));
      await index.createUpload(uploadRecord('old', 'k2'), 1);
    } finally {
      await index.close();
    }
  });

  it('adds the lifecycle cursors after versioning: a cursor is kept, and goes with its bucket', async () => {
    const file = await tempFile();
    const db = new Database(file);
    for (const step of migrations.slice(0, 10)) db.exec(step);
    db.pragma('user_version = 10');
    db.exec(`INSERT INTO buckets (name, owner, region, created_at, acl) VALUES ('old', 'o', 'r', 1, 'private');`);
    db.close();
    const index = SqliteMetadataIndex.open(file);
    try {
      expect(await index.getLifecycleCursor('old')).toBeUndefined();
      await index.expireObjects('old', [], { afterKey: 'k', passStartedAt: new Date(7) });
      expect(await index.getLifecycleCursor('old')).toEqual({ afterKey: 'k', passStartedAt: new Date(7) });
      await index.deleteBucket('old');
      await index.createBucket({ name: 'old', owner: 'o', region: 'r', createdAt: new Date(8), acl: 'private', versioning: 'Unversioned' });
      expect(await index.getLifecycleCursor('old')).toBeUndefined();
    } finally {
      await index.close();
    }
  });

  it('lists 100k keys: delimiter roll-up at the root and full pagination', async () => {
    const file = await tempFile();
    const index = SqliteMetadataIndex.open(file);
    await index.createBucket({ name: 'big', owner: 'o', region: 'r', createdAt: new Date(), acl: 'private', versioning: 'Unversioned' });
    await index.close();
    // Seeded in one transaction: 100k fully synced single-object commits would take minutes.
    const db = new Database(file);
    const insert = db.prepare(`INSERT INTO objects (bucket, key, version_id, size, etag, last_modified, owner, storage_class, acl)
      VALUES ('big', ?, 'null', 1, 'e', 0, 'o', 'STANDARD', 'private')`);
    db.transaction(() => {
      for (let i = 0; i < 100_000; i++) insert.run(`dir${i % 5}/sub${i % 100}/file${i}`);
      insert.run('top-level');
    })();
    db.close();

    const reopened = SqliteMetadataIndex.open(file);
    const query = { bucket: 'big', prefix: '', delimiter: '/', after: '', maxKeys: 1000 };
    const page = await reopened.list(query);
    expect(page.commonPrefixes).toEqual(['dir0/', 'dir1/', 'dir2/', 'dir3/', 'dir4/']);
    expect(page.objects.map((o) => o.key)).toEqual(['top-level']);
    let listed = 0;
    let after = '';
    for (;;) {
      const full = await reopened.list({ ...query, delimiter: '', after });
      listed += full.objects.length;
      if (!full.isTruncated) break;
      after = full.nextAfter ?? '';
    }
    expect(listed).toBe(100_001);
    await reopened.close();
  });
});

describe('SqliteMetadataIndex group commit', () => {
  it('commits writes already issued when it closes, and they survive reopening', async () => {
    const file = await tempFile();
    const index = SqliteMetadataIndex.open(file);
    await index.createBucket(bucketRecord('b'));
    const pending = [index.putObject(objectRecord('b', 'one')), index.putObject(objectRecord('b', 'two'))];
    await index.close();
    await Promise.all(pending);
    const reopened = SqliteMetadataIndex.open(file);
    try {
      expect((await reopened.getObject('b', 'one'))?.key).toBe('one');
      expect((await reopened.getObject('b', 'two'))?.key).toBe('two');
    } finally {
      await reopened.close();
    }
  });

  it('refuses writes issued after it closed', async () => {
    const index = SqliteMetadataIndex.open(await tempFile());
    await index.close();
    await expect(index.createBucket(bucketRecord('b'))).rejects.toThrow(/closed/);
  });
});
