// Imported by a test file before anything else: every test server the file then starts keeps its metadata
// in PostgreSQL, each in a fresh database of one throwaway cluster that lives as long as the file's tests.
// This runs an e2e file written for the embedded engine against a gateway over PostgreSQL unchanged:
//   import '../support/postgres-metadata.js';
//   import './versioning.test.js';
import { afterAll } from 'vitest';
import { startPostgres, type PostgresCluster } from './postgres.js';
import { useMetadataDatabases } from './server.js';

let cluster: Promise<PostgresCluster> | undefined;

useMetadataDatabases(async () => {
  cluster ??= startPostgres();
  return (await cluster).createDatabase();
});

// Registered before the file's own hooks, so it runs after them: the servers stop before their database.
afterAll(async () => {
  if (cluster !== undefined) await (await cluster).stop();
});
