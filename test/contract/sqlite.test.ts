// The metadata and identity contracts on SQLite, a fresh database file per case.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteMetadataIndex } from '../../src/storage/sqlite/sqlite-metadata-index.js';
import { runIdentityIndexContract } from './identity-index.contract.js';
import { runMetadataIndexContract } from './metadata-index.contract.js';
import { runSessionIndexContract } from './session-index.contract.js';

const dirs: string[] = [];

async function open(): Promise<SqliteMetadataIndex> {
  const dir = await mkdtemp(join(tmpdir(), 'sklad-contract-'));
  dirs.push(dir);
  return SqliteMetadataIndex.open(join(dir, 'index.sqlite'));
}

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

runMetadataIndexContract('SQLite', open);
runIdentityIndexContract('SQLite', async () => {
  const metadata = await open();
  return { metadata, identity: metadata.identity() };
});
runSessionIndexContract('SQLite', async () => {
  const metadata = await open();
  return { sessions: metadata.sessions(), close: () => metadata.close() };
});
