// The last few hundred finished requests, in memory, for the console's live view. Entries are the request log's
// summaries, which carry no secret (no Authorization header, no signature, no presigned query).
import type { RequestSummary } from '../audit/request-summary.js';

export interface FeedEntry extends RequestSummary {
  /** Position in the feed: a reader asks for entries after the last one it saw. */
  seq: number;
  /** ISO 8601, when the request finished. */
  at: string;
}

/** How long after the last read the feed keeps collecting: nobody watching costs nothing per request. */
const WATCH_MS = 60_000;

export class RequestFeed {
  readonly #entries: FeedEntry[] = [];
  #seq = 0;
  #lastRead = Number.NEGATIVE_INFINITY;

  constructor(
    readonly capacity = 500,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether someone read the feed lately; requests are summarised for it only then. */
  watched(): boolean {
    return this.clock() - this.#lastRead < WATCH_MS;
  }

  push(summary: RequestSummary): void {
    this.#entries.push({ ...summary, seq: ++this.#seq, at: new Date().toISOString() });
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
  }

  /** Entries after `seq`, oldest first, at most `limit` of the newest. */
  after(seq: number, limit = 200): FeedEntry[] {
    this.#lastRead = this.clock();
    const fresh = this.#entries.filter((e) => e.seq > seq);
    return fresh.slice(-limit);
  }
}
