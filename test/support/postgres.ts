// A throwaway PostgreSQL cluster for tests (test/support/postgres-cluster.mjs, shared with the benchmark). A missing
// PostgreSQL fails the test run; it is never skipped. A cluster whose start-up fails is stopped and removed
// before the error reaches the test file, and one a failed setup left running is stopped when the test
// process exits.
export { freePort, startPostgres, type PostgresCluster, type StartOptions } from './postgres-cluster.mjs';
