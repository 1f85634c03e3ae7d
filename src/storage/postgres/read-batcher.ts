// Point reads of one kind that arrive while earlier ones are running go to PostgreSQL together, as one
// statement. Under load every statement is a round trip that wakes a database backend and then the gateway:
// the database's CPU per read, the resource every gateway of a cluster shares, falls with the batch size,
// and so do the gateway's system calls. A read that finds nothing running starts at once, alone, so an idle
// gateway adds no latency; one that arrives while `concurrency` batches run waits for the next.
//
// A batch is one statement, so each answer is as the database was when it started: after every write
// acknowledged before any of its reads arrived, as a statement of its own would be.

interface Waiting<Q, R> {
  question: Q;
  resolve: (answer: R | undefined) => void;
  reject: (error: unknown) => void;
}

export class ReadBatcher<Q, R> {
  #waiting: Waiting<Q, R>[] = [];
  #running = 0;

  /**
   * `read` answers a batch of questions in one statement, position by position (undefined: nothing found).
   * At most `concurrency` batches run at once, of at most `maxBatch` questions each.
   */
  constructor(
    private readonly read: (questions: Q[]) => Promise<(R | undefined)[]>,
    private readonly concurrency: number,
    private readonly maxBatch = 100,
  ) {}

  get(question: Q): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ question, resolve, reject });
      this.#start();
    });
  }

  #start(): void {
    while (this.#running < this.concurrency && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.maxBatch);
      this.#running++;
      this.read(batch.map((w) => w.question))
        .then(
          (answers) => batch.forEach((w, i) => w.resolve(answers[i])),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.#running--;
          this.#start();
        });
    }
  }
}
