// MD5 on a worker thread, for large bodies. MD5 (the ETag) is the costliest digest of an upload and
// node:crypto computes it synchronously on the calling thread; offloading it lets a second core hash
// while the event loop moves bytes and computes the native CRCs. Each chunk is copied once into a
// transferred buffer; bytes in flight per session are bounded, so a slow worker slows the upload down
// instead of queueing its body in memory.
import { Worker } from 'node:worker_threads';

/** Bytes a session may have posted to the worker and not yet seen hashed. */
const MAX_IN_FLIGHT = 512 * 1024;
/**
 * Sessions hashed on the worker at once; further bodies hash on the event loop as before. One worker has
 * one core: more sessions would only queue there, and each holds copies in flight (memory).
 */
const MAX_SESSIONS = 4;

// Plain CommonJS with node builtins only, evaluated in the worker: no file to locate next to this module
// (the sources run both compiled and, under the test runner, as TypeScript).
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const sessions = new Map();
parentPort.on('message', (m) => {
  if (m.t === 'u') {
    let hash = sessions.get(m.id);
    if (hash === undefined) sessions.set(m.id, (hash = createHash('md5')));
    hash.update(m.b);
    // The buffer goes back for reuse: left to this thread's GC, which rarely runs here, copies would pile up.
    parentPort.postMessage({ t: 'a', id: m.id, n: m.b.byteLength, b: m.b.buffer }, [m.b.buffer]);
  } else if (m.t === 'd') {
    const hash = sessions.get(m.id) ?? createHash('md5');
    sessions.delete(m.id);
    parentPort.postMessage({ t: 'd', id: m.id, v: hash.digest() });
  } else if (m.t === 'x') {
    sessions.delete(m.id);
  }
});
`;

type Reply = { t: 'a'; id: number; n: number; b: ArrayBuffer } | { t: 'd'; id: number; v: Uint8Array };

/** Copy buffers of this size are recycled; socket reads deliver at most 64 KiB at a time. */
const POOLED_SIZE = 64 * 1024;
const MAX_POOLED = 32;
const pool: ArrayBuffer[] = [];

function copyOf(chunk: Uint8Array): Uint8Array {
  const buffer = chunk.byteLength <= POOLED_SIZE ? (pool.pop() ?? new ArrayBuffer(POOLED_SIZE)) : new ArrayBuffer(chunk.byteLength);
  const copy = new Uint8Array(buffer, 0, chunk.byteLength);
  copy.set(chunk);
  return copy;
}

interface SessionState {
  inFlight: number;
  /** Called when inFlight drops to the bound or below. */
  drained?: () => void;
  digest?: { resolve: (md5: Buffer) => void; reject: (error: Error) => void };
}

let worker: Worker | undefined;
let nextId = 1;
const sessions = new Map<number, SessionState>();

function failAll(error: Error): void {
  worker = undefined;
  for (const state of sessions.values()) {
    state.digest?.reject(error);
    state.drained?.();
  }
  sessions.clear();
}

function theWorker(): Worker {
  if (worker !== undefined) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (reply: Reply) => {
    if (reply.t === 'a' && reply.b.byteLength === POOLED_SIZE && pool.length < MAX_POOLED) pool.push(reply.b);
    const state = sessions.get(reply.id);
    if (state === undefined) return;
    if (reply.t === 'a') {
      state.inFlight -= reply.n;
      if (state.inFlight <= MAX_IN_FLIGHT && state.drained) {
        const drained = state.drained;
        state.drained = undefined;
        drained();
      }
    } else {
      sessions.delete(reply.id);
      state.digest?.resolve(Buffer.from(reply.v.buffer, reply.v.byteOffset, reply.v.byteLength));
    }
  });
  w.on('error', (error) => failAll(error));
  w.on('exit', (code) => failAll(new Error(`the MD5 worker exited with code ${code}`)));
  // After the listeners: adding a 'message' listener refs the worker again. An idle hashing thread must
  // not keep the process alive (a stopped server would never exit).
  w.unref();
  worker = w;
  return w;
}

/** One running MD5 computed on the worker thread. */
export class OffloadedMd5 {
  /** Whether a new session would be taken now (see MAX_SESSIONS). */
  static available(): boolean {
    return sessions.size < MAX_SESSIONS;
  }

  readonly #id = nextId++;
  readonly #state: SessionState = { inFlight: 0 };
  readonly #worker = theWorker();

  constructor() {
    sessions.set(this.#id, this.#state);
  }

  /** Posts a copy of `chunk`; `ready` is called at once, or once the worker has caught up. */
  update(chunk: Uint8Array, ready: () => void): void {
    const copy = copyOf(chunk); // the caller's buffer goes on to the disk: hash a copy
    this.#state.inFlight += copy.byteLength;
    this.#worker.postMessage({ t: 'u', id: this.#id, b: copy }, [copy.buffer as ArrayBuffer]);
    if (this.#state.inFlight <= MAX_IN_FLIGHT || !sessions.has(this.#id)) ready();
    else this.#state.drained = ready;
  }

  digest(): Promise<Buffer> {
    if (!sessions.has(this.#id)) return Promise.reject(new Error('the MD5 worker failed'));
    return new Promise((resolve, reject) => {
      this.#state.digest = { resolve, reject };
      this.#worker.postMessage({ t: 'd', id: this.#id });
    });
  }

  /** Forgets the session (the body was abandoned). */
  discard(): void {
    if (!sessions.delete(this.#id)) return;
    this.#worker.postMessage({ t: 'x', id: this.#id });
  }
}
