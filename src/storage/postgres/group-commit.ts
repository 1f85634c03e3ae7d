// Group commit on PostgreSQL: the writes of one gateway are queued and committed in batches, one
// transaction per batch, each write in its own SAVEPOINT, exactly as the SQLite index does (see
// ../sqlite/group-commit.ts): a write's checks see the writes queued before it in issue order, a write
// that throws rolls back to its savepoint and rejects alone, and no promise settles before COMMIT returned.
//
// Writes of other gateways run in their own transactions; row locks (the bucket row, an upload row, a
// user row with a quota) order them. When PostgreSQL aborts a batch for a deadlock or a serialization
// failure, the whole batch runs again: a unit's work is only database work, so running it again is safe.
import type pg from 'pg';
import { isRetryable } from './connection.js';

/** The transaction a unit of work runs in. */
export type Transaction = Pick<pg.PoolClient, 'query'>;

interface Unit {
  work: (tx: Transaction) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const MAX_ATTEMPTS = 8;
/**
 * Units per transaction. PostgreSQL keeps up to 64 subtransactions (savepoints) of a transaction in
 * shared memory; past that every snapshot taken anywhere looks them up on disk, which slows the whole
 * server down.
 */
const MAX_BATCH = 32;

export class PostgresGroupCommit {
  #queue: Unit[] = [];
  #draining: Promise<void> | undefined;

  constructor(private readonly pool: pg.Pool) {}

  /** Runs `work` in the next batch; settles once that batch has committed (or failed). */
  run<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      // setImmediate: every request whose I/O completed meanwhile gets to queue its write first.
      this.#draining ??= new Promise((done) => setImmediate(done)).then(() => this.#drain());
    });
  }

  /** Resolves when everything queued so far has committed or failed. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const units = this.#queue.splice(0, MAX_BATCH);
        await this.#commit(units);
      }
    } finally {
      this.#draining = undefined;
    }
  }

  async #commit(units: Unit[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        for (const unit of units) unit.reject(error);
        return;
      }
      let broken: Error | undefined;
      try {
        const outcomes = await this.#runBatch(client, units);
        for (const [i, unit] of units.entries()) {
          const outcome = outcomes[i]!;
          if (outcome.ok) unit.resolve(outcome.value);
          else unit.reject(outcome.error);
        }
        return;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        if (isRetryable(error) && attempt < MAX_ATTEMPTS) {
          // Back off a little, with jitter, so the batches that collided do not collide again.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
          continue;
        }
        for (const unit of units) unit.reject(error);
        return;
      } finally {
        client.release(broken);
      }
    }
  }

  /** One attempt at the batch; throws (after which the caller rolls back) only for what fails it whole. */
  async #runBatch(client: pg.PoolClient, units: Unit[]): Promise<Outcome[]> {
    if (units.length === 1) {
      await client.query('BEGIN');
      // Alone in its transaction, a unit needs no savepoint: its failure rolls the transaction back.
      try {
        const value = await units[0]!.work(client);
        await client.query('COMMIT');
        return [{ ok: true, value }];
      } catch (error) {
        if (isRetryable(error)) throw error;
        await client.query('ROLLBACK');
        return [{ ok: false, error }];
      }
    }
    // Savepoint commands travel together, one simple-protocol query per unit (RELEASE of one unit with the
    // SAVEPOINT of the next, BEGIN with the first's), so a unit costs one round trip besides its own
    // statements, not two. A ROLLBACK TO keeps its savepoint, so the unit after a failed one needs none of
    // its own; RELEASE before SAVEPOINT (never one on top of another) keeps one subtransaction open at a time.
    const outcomes: Outcome[] = [];
    await client.query('BEGIN; SAVEPOINT unit');
    let open = true; // whether a savepoint for the next unit is already established
    for (const unit of units) {
      if (!open) await client.query('RELEASE SAVEPOINT unit; SAVEPOINT unit');
      open = false;
      try {
        const value = await unit.work(client);
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (isRetryable(error)) throw error;
        await client.query('ROLLBACK TO SAVEPOINT unit');
        open = true;
        outcomes.push({ ok: false, error });
      }
    }
    await client.query('COMMIT');
    return outcomes;
  }
}
