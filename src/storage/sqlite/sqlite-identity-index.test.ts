// SqliteIdentityIndex: users and keys, ownership checks on delete, and user quotas enforced by object writes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bucketRecord, expectS3Error, objectRecord } from '../contract/records.js';
import { IdentityError, type AccessKeyRecord } from '../identity-index.js';
import { SqliteMetadataIndex } from './sqlite-metadata-index.js';

let dir: string;
let index: SqliteMetadataIndex;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sklad-identity-'));
  index = SqliteMetadataIndex.open(join(dir, 'index.db'));
});

afterEach(async () => {
  await index.close();
  await rm(dir, { recursive: true, force: true });
});

const key = (id: string, userName: string): AccessKeyRecord => ({
  accessKeyId: id,
  userName,
  status: 'Active',
  createdAt: new Date(1_700_000_000_000),
  sealedSecret: `sealed-${id}`,
});

async function identityError(call: Promise<unknown>): Promise<string> {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(IdentityError);
  return (error as IdentityError).code;
}

describe('SqliteIdentityIndex', () => {
  it('replaces a sealed secret only while it is still the one the caller read', async () => {
    const ids = index.identity();
    await ids.createUser({ name: 'kim', createdAt: new Date(1) });
    await ids.createAccessKey(key('AK1', 'kim'));
    expect(await ids.replaceSealedSecret('AK1', 'sealed-other', 'resealed')).toBe(false);
    expect((await ids.getAccessKey('AK1'))?.sealedSecret).toBe('sealed-AK1');
    expect(await ids.replaceSealedSecret('AK1', 'sealed-AK1', 'resealed')).toBe(true);
    expect((await ids.getAccessKey('AK1'))?.sealedSecret).toBe('resealed');
    expect(await ids.replaceSealedSecret('missing', 'a', 'b')).toBe(false);
  });

  it('creates, lists, updates and deletes users; names are unique', async () => {
    const ids = index.identity();
    await ids.createUser({ name: 'bob', createdAt: new Date(2), policy: '{"p":1}' });
    await ids.createUser({ name: 'alice', createdAt: new Date(1) });
    expect(await identityError(ids.createUser({ name: 'bob', createdAt: new Date() }))).toBe('EntityAlreadyExists');
    for (const alike of ['Bob', 'BOB', 'bOb', 'ALICE']) {
      expect(await identityError(ids.createUser({ name: alike, createdAt: new Date() }))).toBe('EntityAlreadyExists');
    }
    expect((await ids.listUsers()).map((u) => u.name)).toEqual(['alice', 'bob']);
    expect(await ids.getUser('bob')).toEqual({ name: 'bob', createdAt: new Date(2), disabled: false, policy: '{"p":1}' });
    expect(await ids.updateUser('bob', { disabled: true, policy: null, quota: { maxObjects: 3 } })).toBe(true);
    expect(await ids.getUser('bob')).toEqual({ name: 'bob', createdAt: new Date(2), disabled: true, quota: { maxObjects: 3 } });
    expect(await ids.updateUser('nobody', { disabled: true })).toBe(false);
    expect(await ids.deleteUser('bob')).toBe(true);
    expect(await ids.deleteUser('bob')).toBe(false);
  });

  it('keeps several keys per user, changes their status, and deletes them with the user', async () => {
    const ids = index.identity();
    await ids.createUser({ name: 'ci', createdAt: new Date() });
    await ids.createAccessKey(key('K1', 'ci'));
    await ids.createAccessKey(key('K2', 'ci'));
    expect(await identityError(ids.createAccessKey(key('K1', 'ci')))).toBe('EntityAlreadyExists');
    expect(await identityError(ids.createAccessKey(key('K3', 'ghost')))).toBe('NoSuchEntity');
    expect((await ids.listAccessKeys('ci')).map((k) => k.accessKeyId)).toEqual(['K1', 'K2']);
    expect(await ids.setAccessKeyStatus('K1', 'Inactive')).toBe(true);
    expect((await ids.getAccessKey('K1'))?.status).toBe('Inactive');
    expect(await ids.deleteAccessKey('K2')).toBe(true);
    expect(await ids.deleteAccessKey('K2')).toBe(false);
    await ids.deleteUser('ci');
    expect(await ids.getAccessKey('K1')).toBeUndefined();
  });

  it('refuses to delete a user that owns buckets', async () => {
    const ids = index.identity();
    await ids.createUser({ name: 'owner', createdAt: new Date() });
    await index.createBucket(bucketRecord('owned', { owner: 'owner' }));
    expect(await identityError(ids.deleteUser('owner'))).toBe('DeleteConflict');
    await index.patchBucket('owned', { owner: 'root' });
    expect(await ids.deleteUser('owner')).toBe(true);
  });

  it('enforces the user quota over all the buckets it owns, and reports its usage', async () => {
    const ids = index.identity();
    await ids.createUser({ name: 'team', createdAt: new Date() });
    await ids.updateUser('team', { quota: { maxBytes: 100 } });
    await index.createBucket(bucketRecord('t1', { owner: 'team' }));
    await index.createBucket(bucketRecord('t2', { owner: 'team' }));
    await index.putObject(objectRecord('t1', 'a', { size: 60 }));
    await index.putObject(objectRecord('t2', 'b', { size: 40 }));
    await expectS3Error(index.putObject(objectRecord('t2', 'c', { size: 1 })), 'QuotaExceeded');
    expect(await ids.userUsage('team')).toEqual({ objects: 2, bytes: 100 });
    await ids.updateUser('team', { quota: null });
    await index.putObject(objectRecord('t2', 'c', { size: 1 }));
    expect(await ids.userUsage('team')).toEqual({ objects: 3, bytes: 101 });
  });
});
