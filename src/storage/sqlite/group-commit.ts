// Group commit: write transactions that arrive while the event loop is busy (most often blocked in the
// previous commit's WAL fsync) are committed together, so one fsync makes many requests durable.
//
// Each unit of work still runs alone in its own SAVEPOINT inside the shared transaction: its checks see
// the effects of the units before it in the group, and if it throws, only its own changes are rolled back
// and only its own promise rejects. A unit's promise resolves only after the shared COMMIT has returned
// (with synchronous = FULL, after the WAL is on disk), so nothing is acknowledged before it is durable.
import type Database from 'better-sqlite3';

interface Unit {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Outcome {
  unit: Unit;
  ok: boolean;
  value: unknown;
}

export class GroupCommit {
  #queue: Unit[] = [];
  #scheduled = false;
  readonly #begin: Database.Statement;
  readonly #commit: Database.Statement;
  readonly #rollback: Database.Statement;
  /** better-sqlite3 runs a transaction function called inside an open transaction as a SAVEPOINT. */
  readonly #savepoint: Database.Transaction<(work: () => unknown) => unknown>;

  constructor(private readonly db: Database.Database) {
    this.#begin = db.prepare('BEGIN IMMEDIATE');
    this.#commit = db.prepare('COMMIT');
    this.#rollback = db.prepare('ROLLBACK');
    this.#savepoint = db.transaction((work: () => unknown) => work());
  }

  /** Runs `work` in the next group transaction; settles once that transaction has committed (or failed). */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate runs after the poll phase: every request whose I/O completed during the last
        // commit gets to queue its write before this group starts.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now. Also called before the database closes. */
  flush(): void {
    this.#scheduled = false;
    const units = this.#queue;
    if (units.length === 0) return;
    this.#queue = [];
    if (!this.db.open) {
      for (const unit of units) unit.reject(new Error('the metadata index is closed'));
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      this.#begin.run();
    } catch (error) {
      for (const unit of units) unit.reject(error);
      return;
    }
    for (const unit of units) {
      try {
        outcomes.push({ unit, ok: true, value: this.#savepoint(unit.work) });
      } catch (error) {
        outcomes.push({ unit, ok: false, value: error });
      }
    }
    try {
      this.#commit.run();
    } catch (error) {
      if (this.db.inTransaction) this.#rollback.run();
      for (const { unit, ok, value } of outcomes) unit.reject(ok ? error : value);
      return;
    }
    for (const { unit, ok, value } of outcomes) {
      if (ok) unit.resolve(value);
      else unit.reject(value);
    }
  }
}
