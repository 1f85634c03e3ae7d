// Which gateway runs the cluster's background work (upload expiry, scrub, lifecycle): the one holding a
// session-level advisory lock on a connection of its own. When that gateway dies its session ends,
// PostgreSQL releases the lock, and the next gateway to try takes it over within one retry interval and
// tells its listeners, so the work the dead leader may have left undone starts at once.
import pg from 'pg';

const LEADER_LOCK = "hashtext('sklad-leader:' || current_schema())";

export class LeaderLease {
  #client: pg.Client | undefined;
  #leader = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;
  readonly #acquired: (() => void)[] = [];

  private constructor(
    private readonly config: pg.ClientConfig,
    private readonly retryMs: number,
  ) {}

  /** Starts trying for the lease now and every `retryMs` while another gateway holds it. */
  static async start(config: pg.ClientConfig, retryMs = 5000): Promise<LeaderLease> {
    const lease = new LeaderLease(config, retryMs);
    await lease.#tryAcquire();
    lease.#schedule();
    return lease;
  }

  /** Calls `listener` each time this gateway takes the lease after starting without it (or losing it). */
  onAcquired(listener: () => void): void {
    this.#acquired.push(listener);
  }

  /** True while this gateway holds the lease. */
  isLeader(): boolean {
    return this.#leader;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#attempt;
    this.#leader = false;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined); // ending the session releases the lock
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#attempt = this.#tryAcquire().finally(() => {
        this.#attempt = undefined;
        this.#schedule();
      });
    }, this.retryMs);
    this.#timer.unref();
  }

  async #tryAcquire(): Promise<void> {
    try {
      if (!this.#client) {
        const client = new pg.Client(this.config);
        const lost = (): void => {
          if (this.#client !== client) return;
          // The session is gone, and the lock with it.
          this.#client = undefined;
          this.#leader = false;
          client.end().catch(() => undefined);
        };
        client.on('error', lost);
        client.on('end', lost);
        await client.connect();
        this.#client = client;
      }
      if (this.#leader) {
        // Still connected means still holding it; a cheap query notices a dead connection.
        await this.#client.query('SELECT 1');
        return;
      }
      const { rows } = await this.#client.query<{ acquired: boolean }>(`SELECT pg_try_advisory_lock(${LEADER_LOCK}) AS acquired`);
      this.#leader = rows[0]?.acquired === true;
      if (this.#leader) for (const listener of this.#acquired) listener();
    } catch {
      this.#leader = false;
      const client = this.#client;
      this.#client = undefined;
      await client?.end().catch(() => undefined);
    }
  }
}
