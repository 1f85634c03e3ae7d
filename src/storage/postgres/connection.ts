// The connection pool of the PostgreSQL metadata index. Integers come back as JavaScript numbers (sizes
// and millisecond times fit in 2^53), and an optional schema keeps several sklad clusters, or test cases,
// apart in one database.
import pg from 'pg';
import { S3Error } from '../../errors/s3-error.js';

const INT8 = 20;

export interface PostgresOptions {
  /** postgres://user:password@host:port/database (libpq URL syntax, with its sslmode etc.). */
  url: string;
  /** Schema holding sklad's tables (created when missing); the connection's default when absent. */
  schema?: string;
  /** Largest number of connections this gateway opens. */
  poolSize?: number;
  /** Shown in pg_stat_activity: which gateway a connection belongs to. */
  applicationName?: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function connectionConfig(options: PostgresOptions): pg.ClientConfig {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new Error(`invalid PostgreSQL schema name '${options.schema}': lower-case letters, digits and _ only`);
  }
  return {
    connectionString: options.url,
    types,
    application_name: options.applicationName ?? 'sklad',
    // search_path is set at connection start, so every statement of every pooled connection sees the schema.
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  };
}

/**
 * SQLSTATEs for a value PostgreSQL cannot hold: U+0000 in text (22021) or in jsonb (22P05). Requests naming
 * such a key, bucket or id are refused before any index is asked (s3/request-params.ts); should one still
 * reach a statement some other way, it is the client's error, never an internal one.
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** The client's error for a value holding U+0000. */
function unstorableText(cause?: unknown): S3Error {
  return new S3Error('InvalidArgument', { message: 'The request holds a character that cannot be stored (U+0000).', cause });
}

function clientError(error: unknown): unknown {
  return UNSTORABLE_TEXT.has(sqlState(error) ?? '') ? unstorableText(error) : error;
}

/**
 * Throws the client's error when one of `texts` holds U+0000, for the few places that cannot leave it to the
 * database: text sent inside a query string (which ends at U+0000), and one value of a batch (which would
 * fail the others with it).
 */
export function requireStorableText(...texts: string[]): void {
  if (texts.some((text) => text.includes('\0'))) throw unstorableText();
}

/** A pool client whose errors for unstorable text come out as the client's error (see UNSTORABLE_TEXT). */
class PoolClient extends pg.Client {
  // node-postgres calls query with a callback (Pool.query) or for a promise (everything else); both pass here.
  override query(...args: any[]): any {
    const callback: unknown = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = (error: unknown, result: unknown) => (callback as (e: unknown, r: unknown) => void)(error && clientError(error), result);
      return super.query(...(args as Parameters<pg.Client['query']>));
    }
    const result = super.query(...(args as Parameters<pg.Client['query']>)) as unknown;
    return result instanceof Promise ? result.catch((error: unknown) => Promise.reject(clientError(error))) : result;
  }
}

export async function openPool(options: PostgresOptions): Promise<pg.Pool> {
  const config = connectionConfig(options);
  if (options.schema !== undefined) {
    // The schema must exist before a connection's search_path can point into it.
    const client = new pg.Client({ ...config, options: undefined });
    await client.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${options.schema}`);
    } finally {
      await client.end();
    }
  }
  const pool = new pg.Pool({ ...config, Client: PoolClient, max: options.poolSize ?? 16, idleTimeoutMillis: 30_000 });
  // An idle connection the server drops (restart, failover) must not crash the process: the pool replaces it.
  pool.on('error', () => undefined);
  return pool;
}

/** SQLSTATEs after which a whole transaction can simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE.has((error as { code?: string }).code ?? '');
}

export function sqlState(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as { code?: string }).code : undefined;
}
