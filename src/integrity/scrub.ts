// Integrity scrub: re-reads every object's bytes and checks them against the recorded MD5s and checksum,
// finds missing blobs and blobs no record references. With `repair`, corrupt or incomplete objects are
// quarantined (reads answer an error instead of wrong bytes) and orphan blobs are removed.
// Encrypted objects are decrypted with the master key (SSE-S3), which also checks every segment's GCM tag.
// SSE-C objects cannot be: the customer keeps the key. For them (and for SSE-S3 objects whose master key
// is not at hand) the scrub checks only that every blob exists and has the size its segments must have.
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { BlobDecryptionError, ciphertextSize } from '../crypto/blob-format.js';
import { MasterKeyUnavailableError, type Keyring } from '../crypto/keyring.js';
import { IntegrityError, IntegrityVerifier } from '../s3/integrity.js';
import { openObjectStream } from '../s3/object-reader.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { MetadataIndex, ObjectRecord } from '../storage/metadata-index.js';
import { pagesOf } from '../storage/id-pages.js';

export interface ScrubOptions {
  index: MetadataIndex;
  blobs: BlobStore;
  /** Unwraps SSE-S3 data keys; without it SSE-S3 objects get the SSE-C treatment (sizes only). */
  keyring?: Keyring;
  log: Logger;
  /** Quarantine bad objects (and lift quarantine from objects that verify again). */
  quarantine: boolean;
  /** Remove unreferenced blobs: only safe while no server writes to the data folder. */
  removeOrphans: boolean;
  /** Read rate limit; undefined reads as fast as the disk allows. */
  bytesPerSecond?: number;
  signal?: AbortSignal;
}

export interface ScrubFinding {
  bucket: string;
  key: string;
  problem: 'corrupt' | 'missing';
  detail: string;
}

export interface ScrubReport {
  objects: number;
  bytes: number;
  findings: ScrubFinding[];
  quarantined: number;
  released: number;
  orphans: string[];
  orphansRemoved: number;
  /** Encrypted objects whose bytes could only be checked for presence and size (SSE-C; SSE-S3 without its key). */
  contentUnverified: number;
}

/** Passes bytes through, pausing so the average rate stays under the limit. */
class Throttle extends Transform {
  readonly #started = Date.now();
  #bytes = 0;
  constructor(private readonly bytesPerSecond: number) {
    super();
  }
  override _transform(chunk: Buffer, _e: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.length;
    const due = (this.#bytes / this.bytesPerSecond) * 1000 - (Date.now() - this.#started);
    if (due <= 0) callback(null, chunk);
    else setTimeout(() => callback(null, chunk), due);
  }
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) void _;
}

/** Without the key, an encrypted blob can still be checked for presence and its exact sealed size. */
async function checkSealedSizes(opts: ScrubOptions, record: ObjectRecord): Promise<void> {
  for (const blob of record.blobs) {
    let stored = 0;
    const count = new Transform({
      transform(chunk: Buffer, _e, callback) {
        stored += chunk.length;
        callback(null, chunk);
      },
    });
    const signal = opts.signal ? { signal: opts.signal } : {};
    const source = await opts.blobs.read(blob.id);
    if (opts.bytesPerSecond === undefined) await pipeline(source, count, drain, signal);
    else await pipeline(source, new Throttle(opts.bytesPerSecond), count, drain, signal);
    const expected = ciphertextSize(blob.size);
    if (stored !== expected) throw new BlobDecryptionError(`blob ${blob.id} holds ${stored} bytes where ${expected} are expected`);
  }
}

/** The data key the scrub can decrypt `record` with; undefined for plaintext, 'none' when it has no key. */
function scrubKey(opts: ScrubOptions, record: ObjectRecord): Buffer | undefined | 'none' {
  const encryption = record.encryption;
  if (encryption === undefined) return undefined;
  if (encryption.mode === 'SSE-C' || opts.keyring === undefined) return 'none';
  try {
    return opts.keyring.unwrap(encryption);
  } catch (e) {
    if (e instanceof MasterKeyUnavailableError) return 'none';
    throw new BlobDecryptionError((e as Error).message);
  }
}

async function verifyObject(opts: ScrubOptions, record: ObjectRecord): Promise<ScrubFinding | 'unverified' | undefined> {
  try {
    const dataKey = scrubKey(opts, record);
    if (dataKey === 'none') {
      await checkSealedSizes(opts, record);
      return 'unverified';
    }
    const verifier = new IntegrityVerifier(record, 'thorough');
    if (record.size === 0) {
      verifier.end();
      await drain(verifier);
    } else {
      const source = await openObjectStream(opts.blobs, record.blobs, { start: 0, end: record.size - 1 }, dataKey);
      const signal = opts.signal ? { signal: opts.signal } : {};
      if (opts.bytesPerSecond === undefined) await pipeline(source, verifier, drain, signal);
      else await pipeline(source, new Throttle(opts.bytesPerSecond), verifier, drain, signal);
    }
    return undefined;
  } catch (e) {
    if (e instanceof IntegrityError) return { bucket: record.bucket, key: record.key, problem: 'corrupt', detail: e.reason };
    if (e instanceof BlobDecryptionError) return { bucket: record.bucket, key: record.key, problem: 'corrupt', detail: e.message };
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { bucket: record.bucket, key: record.key, problem: 'missing', detail: 'a blob of this object is missing' };
    throw e;
  }
}

export async function scrub(opts: ScrubOptions): Promise<ScrubReport> {
  const report: ScrubReport = { objects: 0, bytes: 0, findings: [], quarantined: 0, released: 0, orphans: [], orphansRemoved: 0, contentUnverified: 0 };
  // Every stored version, noncurrent ones included: their bytes are as much at risk.
  let after: { bucket: string; key: string; versionId: string } | undefined;
  for (;;) {
    const page = await opts.index.scanVersions(after, 100);
    if (page.length === 0) break;
    for (const record of page) {
      opts.signal?.throwIfAborted();
      const outcome = await verifyObject(opts, record);
      const finding = outcome === 'unverified' ? undefined : outcome;
      report.objects += 1;
      report.bytes += record.size;
      if (outcome === 'unverified') report.contentUnverified += 1;
      if (finding) {
        report.findings.push(finding);
        opts.log.error(finding, 'scrub found a damaged object');
        if (opts.quarantine && !record.quarantined && (await opts.index.setQuarantined(record.bucket, record.key, record.etag, true, record.versionId))) report.quarantined += 1;
      } else if (outcome === undefined && record.quarantined && opts.quarantine && (await opts.index.setQuarantined(record.bucket, record.key, record.etag, false, record.versionId))) {
        report.released += 1;
      }
    }
    const last = page[page.length - 1]!;
    after = { bucket: last.bucket, key: last.key, versionId: last.versionId };
    await sleep(0);
  }
  for await (const page of pagesOf(opts.blobs.ids())) {
    for (const id of await opts.index.unreferencedBlobs(page)) {
      report.orphans.push(id);
      if (opts.removeOrphans) {
        await opts.blobs.delete(id);
        report.orphansRemoved += 1;
      }
    }
  }
  return report;
}
