// What one gateway tells the others through PostgreSQL's LISTEN/NOTIFY: a bucket, a user or an access key
// changed, so cached copies of it must be dropped. A notification is sent inside the writing transaction
// and delivered only when it commits. While the listening connection is down (a database restart, a
// failover) nothing is heard, so caches keep entries no longer than a short bound either way.
import { EventEmitter } from 'node:events';
import pg from 'pg';

export type ChangeKind = 'bucket' | 'identity';

const CHANNEL = 'sklad_changes';
const RECONNECT_MS = 1000;

export interface Change {
  kind: ChangeKind;
  /** The bucket name, user name or access key id; '' for "anything of this kind". */
  name: string;
}

/** Queues a change notification in `tx`; it is delivered when `tx` commits. */
export async function notifyChange(tx: Pick<pg.ClientBase, 'query'>, change: Change): Promise<void> {
  await tx.query({ name: 'notify_change', text: 'SELECT pg_notify($1, $2)', values: [CHANNEL, JSON.stringify(change)] });
}

export class ChangeFeed extends EventEmitter<{ change: [Change]; lost: [] }> {
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  private constructor(private readonly config: pg.ClientConfig) {
    super();
  }

  static async open(config: pg.ClientConfig): Promise<ChangeFeed> {
    const feed = new ChangeFeed(config);
    await feed.#connect();
    return feed;
  }

  /** True while notifications are being heard. */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (message.channel !== CHANNEL || message.payload === undefined) return;
      try {
        this.emit('change', JSON.parse(message.payload) as Change);
      } catch {
        // Not ours: ignore.
      }
    });
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    // Changes may have been missed: every cached entry is suspect.
    this.emit('lost');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#connect().then(
        () => this.emit('lost'), // anything changed between losing and regaining the feed
        () => this.#scheduleReconnect(),
      );
    }, RECONNECT_MS);
    this.#retry.unref();
  }
}
