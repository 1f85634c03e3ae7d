// Crash-consistency harness: runs `sklad serve` as a child process, drives concurrent writes through the
// AWS SDK, SIGKILLs the server at a seeded random moment, restarts it and checks every invariant of
// "nothing lost, nothing torn". Each key belongs to one worker, so the set of states a key may be in
// after a crash is known exactly: the last acknowledged state, plus the result of an operation that
// was in flight when the server died. In a versioned bucket every acknowledged version must also stay
// readable by its id until a delete of that version is acknowledged.
//
// Lifecycle rules run throughout, with a one-second lifecycle day: keys under the expiring prefixes may also
// have been expired (absent) at any moment, and the uploads of one prefix may be aborted; everything else must
// be exactly as the model says. So every kill may land in the middle of a lifecycle batch too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketLifecycleConfigurationCommand, PutBucketVersioningCommand,
  PutObjectCommand, S3Client, S3ServiceException, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { random as prng } from '../contract/reference-listing.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from './server.js';
import { storedBlobIds } from './stored-blobs.js';

export const BUCKET = 'crash';
/** Keys under these prefixes are expired by a lifecycle rule one or two (one-second) days after they are written. */
export const EXPIRING_PREFIXES = ['w0/', 'w1/'];
const MiB = 1024 * 1024;

type State = { md5: string; size: number } | null;

const stateOf = (body: Buffer): State => ({ md5: createHash('md5').update(body).digest('hex'), size: body.length });
const sameState = (a: State, b: State): boolean => (a === null ? b === null : b !== null && a.md5 === b.md5 && a.size === b.size);
const show = (s: State): string => (s === null ? 'absent' : `${s.size} bytes md5 ${s.md5}`);

export interface ServerProcess {
  child: ChildProcess;
  port: number;
}

export async function startServerProcess(dataDir: string): Promise<ServerProcess> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SKLAD_')));
  const child = spawn(process.execPath, [path.resolve('bin/sklad'), 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn'], {
    env: { ...env, SKLAD_ACCESS_KEY: ACCESS_KEY, SKLAD_SECRET_KEY: SECRET_KEY, SKLAD_LIFECYCLE_DAY_SECONDS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${output}`));
    });
  });
  return { child, port };
}

export function clientFor(port: number): S3Client {
  return new S3Client({
    endpoint: `http://127.0.0.1:${port}`,
    region: REGION,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
}

/** An S3 error answer means the operation was refused and did not happen; anything else is ambiguous. */
function refused(e: unknown): boolean {
  return e instanceof S3ServiceException && (e.$metadata.httpStatusCode ?? 0) >= 400;
}

/** An acknowledged version of a key; `maybeGone` while a delete of it is in flight or was cut by a kill. */
interface KnownVersion {
  state: State;
  maybeGone: boolean;
}

export class CrashModel {
  /** key → states it may be in; a single entry once acknowledged. */
  readonly allowed = new Map<string, State[]>();
  /** Versioned buckets: key → acknowledged version id → its bytes. */
  readonly versions = new Map<string, Map<string, KnownVersion>>();
  /** Versioned buckets: key → id of the last acknowledged write (object or delete marker): never deleted by id. */
  readonly latest = new Map<string, string>();
  /** Operations sent, and keys found expired by lifecycle where the model still had them. */
  readonly counts = { put: 0, multipart: 0, copy: 0, delete: 0, deleteObjects: 0, deleteVersion: 0, expired: 0 };

  constructor(readonly workers: number, readonly keysPerWorker: number, readonly versioned = false) {
    for (let w = 0; w < workers; w++) {
      for (let k = 0; k < keysPerWorker; k++) {
        this.allowed.set(`w${w}/k${k}`, [null]);
        this.versions.set(`w${w}/k${k}`, new Map());
      }
    }
  }

  /** Runs `op` whose success makes each key take its new state (and, versioned, adds the version it reports). */
  async track(changes: [string, State][], op: () => Promise<unknown>, versionIdOf: (result: unknown, key: string) => string | undefined = () => undefined): Promise<void> {
    for (const [key, state] of changes) this.allowed.get(key)!.push(state);
    let result: unknown;
    try {
      result = await op();
    } catch (e) {
      if (refused(e)) for (const [key] of changes) this.allowed.get(key)!.pop();
      throw e;
    }
    for (const [key, state] of changes) {
      this.allowed.set(key, [state]);
      const id = versionIdOf(result, key);
      if (id === undefined) continue;
      this.latest.set(key, id);
      if (state !== null) this.versions.get(key)!.set(id, { state, maybeGone: false });
    }
  }

  /** A version of `key` known to be noncurrent: acknowledged, and not the last acknowledged write. */
  noncurrent(key: string, random: () => number): string | undefined {
    const ids = [...this.versions.get(key)!].filter(([id, v]) => id !== this.latest.get(key) && !v.maybeGone).map(([id]) => id);
    return ids.length === 0 ? undefined : ids[Math.floor(random() * ids.length)];
  }

  async trackVersionDelete(key: string, versionId: string, op: () => Promise<unknown>): Promise<void> {
    const known = this.versions.get(key)!.get(versionId)!;
    known.maybeGone = true;
    try {
      await op();
    } catch (e) {
      if (refused(e)) known.maybeGone = false;
      throw e;
    }
    this.versions.get(key)!.delete(versionId);
  }

  settled(key: string): State | undefined {
    const states = this.allowed.get(key)!;
    return states.length === 1 ? states[0] : undefined;
  }
}

/** One worker's loop: random operations on its own keys until `stop()` says so. */
export async function runWorker(s3: S3Client, model: CrashModel, worker: number, random: () => number, stop: () => boolean): Promise<void> {
  const key = () => `w${worker}/k${Math.floor(random() * model.keysPerWorker)}`;
  const sizes = [0, 1024, 100 * 1024, MiB, 3 * MiB];
  while (!stop()) {
    const choice = random();
    try {
      if (model.versioned && choice >= 0.8) {
        const k = key();
        const versionId = model.noncurrent(k, random);
        if (versionId === undefined) continue;
        model.counts.deleteVersion++;
        await model.trackVersionDelete(k, versionId, () => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: k, VersionId: versionId })));
      } else if (choice < 0.4) {
        const k = key();
        const body = randomBytes(sizes[Math.floor(random() * sizes.length)]!);
        model.counts.put++;
        await model.track([[k, stateOf(body)]], () => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: body })), versionOf);
      } else if (choice < 0.55) {
        const k = key();
        const parts = [randomBytes(5 * MiB), randomBytes(1 + Math.floor(random() * 100_000))];
        model.counts.multipart++;
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: k }));
        const done: { PartNumber: number; ETag?: string }[] = [];
        for (const [i, body] of parts.entries()) {
          const r = await s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: k, UploadId, PartNumber: i + 1, Body: body }));
          done.push({ PartNumber: i + 1, ETag: r.ETag });
        }
        await model.track([[k, stateOf(Buffer.concat(parts))]], () =>
          s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: k, UploadId, MultipartUpload: { Parts: done } })), versionOf);
      } else if (choice < 0.7) {
        const from = key();
        const to = key();
        const source = model.settled(from);
        if (from === to || source === undefined || source === null) continue;
        model.counts.copy++;
        await model.track([[to, source]], () => s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: to, CopySource: `${BUCKET}/${from}` })), versionOf);
      } else if (choice < 0.85) {
        const k = key();
        model.counts.delete++;
        await model.track([[k, null]], () => s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: k })), versionOf);
      } else {
        const keys = [...new Set([key(), key(), key()])];
        model.counts.deleteObjects++;
        await model.track(keys.map((k) => [k, null]), async () => {
          const r = await s3.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
          if (r.Errors?.length) throw new Error(`DeleteObjects reported errors: ${JSON.stringify(r.Errors)}`);
          return r;
        }, (r, k) => (r as { Deleted?: { Key?: string; DeleteMarkerVersionId?: string }[] }).Deleted?.find((d) => d.Key === k)?.DeleteMarkerVersionId);
      }
    } catch {
      // the server died under this request, or refused it: the model already accounts for both
    }
  }
}

/** The version id a write's response reports (PutObject, Complete, CopyObject and DeleteObject all carry one). */
function versionOf(result: unknown): string | undefined {
  return (result as { VersionId?: string } | undefined)?.VersionId;
}

/** Versioned buckets: every acknowledged version readable by id with its bytes; one cut by a kill resolved. */
async function verifyVersions(s3: S3Client, model: CrashModel, violations: string[]): Promise<void> {
  for (const [key, known] of model.versions) {
    for (const [versionId, version] of known) {
      let actual: State = null;
      try {
        const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId, ChecksumMode: 'ENABLED' }));
        actual = stateOf(Buffer.from(await res.Body!.transformToByteArray()));
      } catch (e) {
        if (!(e instanceof S3ServiceException && e.name === 'NoSuchVersion')) {
          violations.push(`${key}@${versionId}: not readable: ${(e as Error).message}`);
          continue;
        }
      }
      if (actual === null && version.maybeGone) known.delete(versionId);
      else if (sameState(actual, version.state)) version.maybeGone = false;
      else violations.push(`${key}@${versionId}: is ${show(actual)}, acknowledged as ${show(version.state)}`);
    }
  }
}

/** Whether `key` has no current object now. */
async function isGone(s3: S3Client, key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })).then(
    () => false,
    (e: unknown) => e instanceof S3ServiceException && e.name === 'NotFound',
  );
}

/** Checks every invariant against a freshly restarted server; returns the violations found. */
export async function verify(s3: S3Client, model: CrashModel, dataDir: string): Promise<string[]> {
  const violations: string[] = [];
  const listed = new Set<string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    for (const o of page.Contents ?? []) listed.add(o.Key!);
    token = page.NextContinuationToken;
  } while (token);

  for (const key of listed) if (!model.allowed.has(key)) violations.push(`unexpected key listed: ${key}`);
  for (const [key, allowed] of model.allowed) {
    let actual: State = null;
    const expirable = EXPIRING_PREFIXES.some((p) => key.startsWith(p));
    if (listed.has(key)) {
      try {
        // checksum mode makes the SDK verify the stored checksum against the bytes it receives
        const res = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, ChecksumMode: 'ENABLED' }));
        const body = Buffer.from(await res.Body!.transformToByteArray());
        actual = stateOf(body);
        if (res.ContentLength !== body.length) violations.push(`${key}: Content-Length ${res.ContentLength} but ${body.length} bytes`);
        if (!res.ETag?.includes('-') && res.ETag !== `"${actual!.md5}"`) violations.push(`${key}: ETag ${res.ETag} does not match its bytes`);
      } catch (e) {
        // The lifecycle worker keeps running in the restarted server: an expiring key may go between LIST and
        // GET, or while its body streams (a later blob of a multipart object is then gone before it is read, a
        // known limit: docs/architecture.md, Crash safety); either way it must be gone now.
        const expiredMeanwhile = expirable && (e instanceof S3ServiceException ? e.name === 'NoSuchKey' : await isGone(s3, key));
        if (!expiredMeanwhile) {
          violations.push(`${key}: listed but not readable in full: ${(e as Error).message}`);
          continue;
        }
      }
    }
    if (!allowed.some((s) => sameState(s, actual))) {
      if (expirable && actual === null) model.counts.expired++;
      else violations.push(`${key}: is ${show(actual)}, expected one of ${allowed.map(show).join(' | ')}`);
    }
    model.allowed.set(key, [actual]);
  }

  if (model.versioned) await verifyVersions(s3, model, violations);

  const temporary = await readdir(path.join(dataDir, 'tmp')).catch(() => []);
  if (temporary.length > 0) violations.push(`temporary files left after recovery: ${temporary.join(', ')}`);
  const db = new Database(path.join(dataDir, 'index.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const integrity = db.pragma('integrity_check', { simple: true });
    if (integrity !== 'ok') violations.push(`SQLite integrity_check: ${String(integrity)}`);
    const referencedNow = (): Set<string> =>
      new Set(db.prepare('SELECT blob_id FROM object_blobs UNION SELECT blob_id FROM upload_parts').pluck().all() as string[]);
    const referenced = referencedNow();
    const onDisk = await storedBlobIds(dataDir);
    const orphans = onDisk.filter((id) => !referenced.has(id));
    if (orphans.length > 0) violations.push(`${orphans.length} stored blob(s) referenced by nothing after recovery`);
    const present = new Set(onDisk);
    // The restarted server's lifecycle worker may expire an object between the two reads above (its row goes
    // first, then its blob files): a blob counts as missing only if the index still references it afterwards.
    const stillReferenced = referencedNow();
    const missing = [...referenced].filter((id) => !present.has(id) && stillReferenced.has(id));
    if (missing.length > 0) violations.push(`${missing.length} referenced blob(s) missing from disk`);
    // Quotas trust the per-bucket counters: after any crash they must equal what the bucket holds.
    const counted = db.prepare('SELECT object_count AS objects, byte_count AS bytes FROM buckets WHERE name = ?').get(BUCKET) as { objects: number; bytes: number };
    // Every stored version counts, current or not.
    const actual = db.prepare(`SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM (
      SELECT size FROM objects WHERE bucket = @b AND delete_marker = 0
      UNION ALL SELECT size FROM object_versions WHERE bucket = @b AND delete_marker = 0)`).get({ b: BUCKET }) as { objects: number; bytes: number };
    if (counted.objects !== actual.objects || counted.bytes !== actual.bytes) {
      violations.push(`usage counters say ${counted.objects} objects / ${counted.bytes} bytes, the bucket holds ${actual.objects} / ${actual.bytes}`);
    }
  } finally {
    db.close();
  }
  return violations;
}

export interface CrashRunOptions {
  dataDir: string;
  seed: number;
  iterations: number;
  workers?: number;
  keysPerWorker?: number;
  /** Longest time the workload runs before the kill, in ms. */
  maxRunMs?: number;
  /** Versioning Enabled on the bucket: writes keep versions, deletes write markers, some deletes name a version. */
  versioned?: boolean;
}

export interface CrashRunReport {
  seed: number;
  kills: number;
  violations: string[];
  counts: CrashModel['counts'];
}

export async function runCrashIterations(opts: CrashRunOptions): Promise<CrashRunReport> {
  const random = prng(opts.seed);
  const model = new CrashModel(opts.workers ?? 6, opts.keysPerWorker ?? 5, opts.versioned ?? false);
  const violations: string[] = [];
  let server = await startServerProcess(opts.dataDir);
  let s3 = clientFor(server.port);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  if (opts.versioned) await s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }));
  await s3.send(new PutBucketLifecycleConfigurationCommand({
    Bucket: BUCKET,
    LifecycleConfiguration: {
      Rules: [
        ...EXPIRING_PREFIXES.map((Prefix, i) => ({ ID: `expire-${Prefix}`, Status: 'Enabled' as const, Filter: { Prefix }, Expiration: { Days: i + 1 } })),
        { ID: 'abort-w2', Status: 'Enabled', Filter: { Prefix: 'w2/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } },
      ],
    },
  }));
  let kills = 0;
  for (let i = 0; i < opts.iterations; i++) {
    let stopped = false;
    const workers = Array.from({ length: model.workers }, (_, w) => runWorker(s3, model, w, prng(Math.floor(random() * 2 ** 32)), () => stopped));
    const runFor = 50 + Math.floor(random() * ((opts.maxRunMs ?? 1200) - 50));
    await new Promise((r) => setTimeout(r, runFor));
    const exited = new Promise((r) => server.child.once('exit', r));
    server.child.kill('SIGKILL');
    await exited;
    kills++;
    stopped = true;
    await Promise.all(workers);
    s3.destroy();

    server = await startServerProcess(opts.dataDir);
    s3 = clientFor(server.port);
    for (const v of await verify(s3, model, opts.dataDir)) violations.push(`kill ${kills} (after ${runFor} ms): ${v}`);
  }
  s3.destroy();
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
  return { seed: opts.seed, kills, violations, counts: model.counts };
}
