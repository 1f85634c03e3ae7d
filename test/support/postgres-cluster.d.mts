// Types of postgres-cluster.mjs (plain JavaScript, shared by the tests and the benchmark).
import type pg from 'pg';

export interface PostgresCluster {
  port: number;
  /** The cluster's temporary folder (data directory and unix socket), removed by stop(). */
  dir: string;
  /** A connection URL to `database` (the maintenance database `postgres` when absent). */
  url(database?: string): string;
  /** Creates an empty database with a fresh name and returns its URL. */
  createDatabase(): Promise<string>;
  /** Runs one statement in `database` as the superuser. */
  query(sql: string, database?: string): Promise<pg.QueryResult>;
  /** Stops the server and removes its folder. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Folder to make the cluster's temporary folder in (the system's temporary folder by default). */
  root?: string;
  /** Further server settings, passed as `-c name=value`. */
  settings?: Record<string, string>;
}

export function freePort(): Promise<number>;
export function startPostgres(options?: StartOptions): Promise<PostgresCluster>;
