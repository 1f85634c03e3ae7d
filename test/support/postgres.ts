// A throwaway PostgreSQL cluster for tests (test/support/postgres-cluster.mjs, shared with the benchmark). A missing
// PostgreSQL fails the test run; it is never skipped. A cluster whose start-up fails is stopped and removed
// before the error reaches the test file, and one a failed setup left running is stopped when the test
// process exits.
import { afterAll, beforeAll } from 'vitest';
import { PostgresMetadataIndex } from '../../src/storage/postgres/postgres-metadata-index.js';
import { startPostgres, type PostgresCluster } from './postgres-cluster.mjs';

export { freePort, startPostgres, type PostgresCluster, type StartOptions } from './postgres-cluster.mjs';

/**
 * One throwaway cluster and database for the calling test file, and a metadata index per call on a fresh schema
 * of it (created and migrated by the index itself). Indexes opened on one schema name share it, as gateways do.
 */
export function throwawayMetadataSchemas(prefix: string): {
  open(schema?: string): Promise<PostgresMetadataIndex>;
  nextSchema(): string;
  /** The database's URL (once the file's tests run). */
  url(): string;
} {
  let cluster: PostgresCluster | undefined;
  let url = '';
  let schemas = 0;
  beforeAll(async () => {
    cluster = await startPostgres();
    url = await cluster.createDatabase();
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  const nextSchema = (): string => `${prefix}_${++schemas}`;
  return {
    nextSchema,
    url: () => url,
    open: (schema = nextSchema()) => PostgresMetadataIndex.open({ url, schema, poolSize: 4 }),
  };
}
