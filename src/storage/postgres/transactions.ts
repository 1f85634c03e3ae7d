// Write transactions of the PostgreSQL metadata index: each write is one READ COMMITTED transaction on a
// pooled connection of its own, so a gateway's writes run side by side (as many as the pool has
// connections) instead of waiting for one another. PostgreSQL orders them by locks (see the index's
// class comment) and flushes the commits that arrive together with one WAL write, so nothing is gained by
// batching writes in the gateway. When PostgreSQL aborts a transaction for a deadlock or a serialization
// failure, it runs again: a unit's work is only database work, so running it again is safe.
import type pg from 'pg';
import { isRetryable } from './connection.js';

/** The transaction a unit of work runs in. */
export type Transaction = Pick<pg.PoolClient, 'query'>;

const MAX_ATTEMPTS = 8;

export class PostgresTransactions {
  readonly #running = new Set<Promise<unknown>>();

  constructor(private readonly pool: pg.Pool) {}

  /**
   * Runs `work` in a transaction of its own; settles once it has committed (or failed). `opening`, SQL text
   * without parameters (values in it are escaped literals), travels with BEGIN in one round trip; `work`
   * receives its result.
   */
  run<T>(work: (tx: Transaction, opened: pg.QueryResult | undefined) => Promise<T>, opening?: string): Promise<T> {
    return this.track(this.#attempt(work, opening));
  }

  /** Counts `write` (a statement that commits on its own) among the writes `flush` waits for. */
  track<T>(write: Promise<T>): Promise<T> {
    this.#running.add(write);
    const forget = () => this.#running.delete(write);
    write.then(forget, forget);
    return write;
  }

  /** Resolves when every transaction started so far has committed or failed. */
  async flush(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }

  async #attempt<T>(work: (tx: Transaction, opened: pg.QueryResult | undefined) => Promise<T>, opening: string | undefined): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        let opened: pg.QueryResult | undefined;
        if (opening === undefined) {
          await client.query('BEGIN');
        } else {
          // Several statements in one simple query: node-postgres answers with one result per statement.
          const results = (await client.query(`BEGIN; ${opening}`)) as unknown as pg.QueryResult[];
          opened = results[1];
        }
        const value = await work(client, opened);
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      } finally {
        client.release(broken);
      }
      // Back off a little, with jitter, so the transactions that collided do not collide again.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
