// The metadata and identity contracts on PostgreSQL: one throwaway cluster for the file, a fresh schema
// (created and migrated by the index itself) per case.
import { afterAll, beforeAll } from 'vitest';
import { PostgresMetadataIndex } from '../../src/storage/postgres/postgres-metadata-index.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { runIdentityIndexContract } from './identity-index.contract.js';
import { runMetadataIndexContract } from './metadata-index.contract.js';
import { runSessionIndexContract } from './session-index.contract.js';

let cluster: PostgresCluster;
let url: string;
let schemas = 0;

beforeAll(async () => {
  cluster = await startPostgres();
  url = await cluster.createDatabase();
});

afterAll(async () => {
  await cluster?.stop();
});

async function open(): Promise<PostgresMetadataIndex> {
  schemas += 1;
  return PostgresMetadataIndex.open({ url, schema: `contract_${schemas}`, poolSize: 4 });
}

// A quarter of the randomised listing comparison: its thousands of round trips are what this engine pays for.
runMetadataIndexContract('PostgreSQL', open, { listingScale: 0.25, versions: false });
runIdentityIndexContract('PostgreSQL', async () => {
  const metadata = await open();
  return { metadata, identity: metadata.identity() };
});
runSessionIndexContract('PostgreSQL', async () => {
  const metadata = await open();
  return { sessions: metadata.sessions(), close: () => metadata.close() };
});
