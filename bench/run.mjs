// `npm run bench`: starts sklad and the ceiling server (bench/ceiling-server.mjs) as child processes on fresh
// temporary data folders, runs every scenario against both, interleaving targets and repeating, and prints
// a table (scenario, sklad, ceiling, ratio) plus the performance targets; JSON goes to bench/results/.
//
//   npm run bench                   full mode (5-6 min on 2 cores; see docs/performance.md)
//   npm run bench -- --quick        about 30 s: small counts
//   npm run bench -- --large        full mode plus the listing at 1,000,000 keys (seeding 1M keys by PUT takes long)
//   options: --runs N  --only small,big,multipart,multi4,list,versioned,pg  --list-reps N  --keep
//            --cpu-prof DIR  runs sklad under node --cpu-prof and prints its top self-time functions per scenario
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { S3BenchClient, multipartUpload, quantile, runConcurrent } from './client.mjs';
import { createPgGroup } from './pg.mjs';
import { formatSummary, summarizeProfile } from './profile-summary.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const ACCESS_KEY = 'benchaccesskey';
const SECRET_KEY = 'benchsecretkey0123456789';
const BUCKET = 'bench';
const LIST_BUCKET = 'listing';
const VERSIONED_BUCKET = 'bench-versioned';
const VERSIONED_LIST_BUCKET = 'listing-versioned';

function parseFlags() {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        large: { type: 'boolean', default: false },
        runs: { type: 'string' },
        'list-reps': { type: 'string' },
        only: { type: 'string' },
        'cpu-prof': { type: 'string' },
        keep: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${error.message}\nusage: npm run bench -- [--quick | --large] [--runs N] [--only small,big,multipart,multi4,list,versioned,pg] [--list-reps N] [--cpu-prof DIR] [--keep]\n`);
    process.exit(2);
  }
}
const flags = parseFlags();
const mode = flags.quick ? 'quick' : flags.large ? 'large' : 'full';
const quick = mode === 'quick';
const P = {
  runs: Number(flags.runs ?? 3),
  warmupOps: quick ? 200 : 1_000,
  smallOps: quick ? 1_000 : 5_000,
  smallMaxMs: quick ? 2_000 : 6_000,
  smallConcurrency: 16,
  bigSize: 64 * MiB,
  bigReps: quick ? 1 : 3,
  multipartSize: quick ? 256 * MiB : GiB,
  partSize: 16 * MiB,
  multipartConcurrency: 4,
  fourWay: !quick,
  listSizes: quick ? [10_000] : mode === 'large' ? [10_000, 100_000, 1_000_000] : [10_000, 100_000],
  listRootPrefixes: 100,
  /** Keys and versions per key of the versioned listing (sklad only). */
  versionedListKeys: quick ? 10_000 : 100_000,
  versionsPerKey: quick ? 3 : 10,
  listInsidePrefix: 'a07/',
  listReps: Number(flags['list-reps'] ?? (quick ? 9 : 25)),
  fullListReps: 3,
  seedConcurrency: 64,
};
const groups = new Set((flags.only ?? 'small,big,multipart,multi4,list,versioned,pg').split(',').map((s) => s.trim()));
if (!P.fourWay) groups.delete('multi4');

const log = (msg) => process.stderr.write(`${msg}\n`);
const median = (xs) => quantile(xs, 0.5);

// ---------------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------------

const children = [];

/** Spawns a server and resolves once it printed `… listening on http://HOST:PORT`. */
function startServer(name, args, env) {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, args, { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = { name, proc, pid: proc.pid, exited: new Promise((r) => proc.once('exit', r)) };
    children.push(child);
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}${err}`)), 30_000);
    proc.stderr.on('data', (d) => {
      err += d;
      if (err.length > 100_000) err = err.slice(-50_000);
    });
    proc.stdout.on('data', (d) => {
      if (child.url) return;
      out += d;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.url = m[1];
        child.stderr = () => err;
        resolvePromise(child);
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!child.url) reject(new Error(`${name} exited (${code ?? signal}) before listening:\n${out}${err}`));
    });
  });
}

async function stopServer(child) {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill('SIGTERM');
  let timer;
  const timeout = new Promise((r) => {
    timer = setTimeout(() => r('timeout'), 30_000);
  });
  const outcome = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    child.proc.kill('SIGKILL');
    await child.exited;
  }
}

function killChildren() {
  for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
}

/** Data folders of this run, removed at the end (also after a failure or Ctrl-C) unless --keep. */
const tempDirs = [];
function removeTempDirs() {
  if (flags.keep) return;
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// The PostgreSQL gateways beside single-node SQLite (bench/pg.mjs): its own cluster, servers, table and targets.
const pg = createPgGroup({ P, quick, log, startServer, stopServer, tempDirs, accessKey: ACCESS_KEY, secretKey: SECRET_KEY });

process.on('SIGINT', () => {
  killChildren();
  removeTempDirs();
  process.exit(130);
});

// ---------------------------------------------------------------------------------------------------
// RSS sampling: /proc/<pid>/status VmRSS every 50 ms
// ---------------------------------------------------------------------------------------------------

function rssKiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** CPU seconds (user + system) the process has used so far. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime: fields 14 and 15 of stat(5)
  } catch {
    return NaN;
  }
}

/** Runs `fn`; returns [result, server CPU seconds spent meanwhile]. */
async function withCpu(pid, fn) {
  const before = cpuSeconds(pid);
  const result = await fn();
  return [result, cpuSeconds(pid) - before];
}

/** Runs `fn` while sampling `pid`; returns [result, peak RSS in MiB]. */
async function withPeakRss(pid, fn) {
  let peak = rssKiB(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssKiB(pid));
  }, 50);
  try {
    const result = await fn();
    peak = Math.max(peak, rssKiB(pid));
    return [result, peak / 1024];
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------------

/** Scenario time windows in CLOCK_MONOTONIC µs (a --cpu-prof profile's clock), to slice sklad's profile by. */
const windows = [];
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

async function windowed(label, target, fn) {
  const from = monotonicUs();
  try {
    return await fn();
  } finally {
    windows.push({ label, target: target.name, from, to: monotonicUs() });
  }
}

/** id → { id, label, unit, better, sklad: number[], ceiling: number[], agg } */
const rows = new Map();
const notes = [];

function record(id, label, unit, better, targetName, value, agg = 'median') {
  if (!rows.has(id)) rows.set(id, { id, label, unit, better, agg, sklad: [], ceiling: [] });
  rows.get(id)[targetName].push(value);
}

function figure(row, targetName) {
  const xs = row[targetName];
  if (xs.length === 0) return undefined;
  return row.agg === 'max' ? Math.max(...xs) : median(xs);
}

function checkErrors(what, target, result) {
  if (result.errors > 0) {
    const msg = `${what} on ${target.name}: ${result.errors} errors; first: ${result.firstError?.message ?? result.firstError}`;
    notes.push(msg);
    log(`  ! ${msg}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------------

/** Alternates which target goes first, so neither always runs on a warmer (or busier) machine. */
function orderFor(run, targets) {
  return run % 2 === 0 ? targets : [...targets].reverse();
}

async function warmup(target) {
  const c = target.client(16);
  const body = Buffer.alloc(4 * KiB, 1);
  const total = P.warmupOps;
  await runConcurrent({ total, concurrency: 16, op: (i) => c.putObject(BUCKET, `warm/${i}`, body) });
  await runConcurrent({ total, concurrency: 16, op: (i) => c.getObject(BUCKET, `warm/${i}`) });
  await runConcurrent({ total, concurrency: 16, op: (i) => c.headObject(BUCKET, `warm/${i}`) });
  await runConcurrent({ total, concurrency: 16, op: (i) => c.deleteObject(BUCKET, `warm/${i}`) });
  const big = target.client(1);
  await big.putObject(BUCKET, 'warm/big', Buffer.alloc(16 * MiB, 2));
  await big.getObject(BUCKET, 'warm/big');
  await big.deleteObject(BUCKET, 'warm/big');
}

async function smallOps(target, run) {
  const c = target.client(P.smallConcurrency);
  const body = Buffer.alloc(4 * KiB);
  randomFillSync(body);
  const key = (i) => `small/${run}/${String(i).padStart(6, '0')}`;
  const base = { concurrency: P.smallConcurrency, maxMs: P.smallMaxMs };
  const measure = async (op, options) => {
    const [result, cpu] = await windowed(`4 KiB ${op}`, target, () => withCpu(target.pid, () => runConcurrent({ ...base, ...options })));
    checkErrors(`4 KiB ${op}`, target, result);
    const s = result.elapsedMs / 1000;
    record(`small-${op}-ops`, `4 KiB ${op}`, 'ops/s', 'higher', target.name, result.count / s);
    record(`small-${op}-p50`, `4 KiB ${op} p50`, 'ms', 'lower', target.name, quantile(result.latencies, 0.5));
    record(`small-${op}-p99`, `4 KiB ${op} p99`, 'ms', 'lower', target.name, quantile(result.latencies, 0.99));
    record(`small-${op}-cpu`, `4 KiB ${op} server CPU`, 'µs/op', 'lower', target.name, (cpu * 1e6) / result.count);
    return result;
  };
  const put = await measure('PUT', { total: P.smallOps, op: (i) => c.putObject(BUCKET, key(i), body) });
  const n = Math.max(1, put.count);
  await measure('GET', { total: P.smallOps, op: (i) => c.getObject(BUCKET, key(i % n)) });
  await measure('HEAD', { total: P.smallOps, op: (i) => c.headObject(BUCKET, key(i % n)) });
  // DELETE is bounded by what was written, and not by time: every key must go.
  await measure('DELETE', { maxMs: Infinity, total: put.count, op: (i) => c.deleteObject(BUCKET, key(i)) });
  log(`  ${target.name.padEnd(7)} run ${run + 1}: PUT ${put.count} ops in ${(put.elapsedMs / 1000).toFixed(2)} s`);
}

let bigBuffer;
function payload() {
  if (!bigBuffer) {
    bigBuffer = Buffer.allocUnsafe(P.bigSize);
    randomFillSync(bigBuffer);
  }
  return bigBuffer;
}

async function bigObjects(target, run) {
  const c = target.client(1);
  const body = payload();
  const key = (j) => `big/${run}/${j}`;
  const gib = (P.bigReps * P.bigSize) / GiB;
  const [, peak] = await withPeakRss(target.pid, async () => {
    let t = performance.now();
    const [, putCpu] = await windowed('64 MiB PUT', target, () => withCpu(target.pid, async () => {
      for (let j = 0; j < P.bigReps; j++) await c.putObject(BUCKET, key(j), body);
    }));
    const putS = (performance.now() - t) / 1000;
    t = performance.now();
    let bytes = 0;
    const [, getCpu] = await windowed('64 MiB GET', target, () => withCpu(target.pid, async () => {
      for (let j = 0; j < P.bigReps; j++) bytes += (await c.getObject(BUCKET, key(j))).bytes;
    }));
    const getS = (performance.now() - t) / 1000;
    if (bytes !== P.bigReps * P.bigSize) throw new Error(`${target.name}: GET returned ${bytes} bytes`);
    record('big-PUT', '64 MiB PUT', 'MiB/s', 'higher', target.name, (P.bigReps * P.bigSize) / MiB / putS);
    record('big-GET', '64 MiB GET', 'MiB/s', 'higher', target.name, (P.bigReps * P.bigSize) / MiB / getS);
    record('big-PUT-cpu', '64 MiB PUT server CPU', 's/GiB', 'lower', target.name, putCpu / gib);
    record('big-GET-cpu', '64 MiB GET server CPU', 's/GiB', 'lower', target.name, getCpu / gib);
  });
  record('big-rss', '64 MiB peak RSS', 'MiB', 'lower', target.name, peak, 'max');
  for (let j = 0; j < P.bigReps; j++) await c.deleteObject(BUCKET, key(j));
}

/** One multipart upload of `size` bytes in 16 MiB parts: { seconds, completeMs }. */
const multipartUploadOf = (c, key, size) =>
  multipartUpload(c, { bucket: BUCKET, key, size, body: payload(), partSize: P.partSize, concurrency: P.multipartConcurrency });

const sizeLabel = (bytes) => (bytes >= GiB ? `${bytes / GiB} GiB` : `${bytes / MiB} MiB`);

async function multipart(target, run) {
  const c = target.client(P.multipartConcurrency);
  const label = `${sizeLabel(P.multipartSize)} multipart`;
  const key = `mp/${run}`;
  const [[r, cpu], peak] = await withPeakRss(target.pid, () =>
    windowed(label, target, () => withCpu(target.pid, () => multipartUploadOf(c, key, P.multipartSize))),
  );
  record('mp-rate', label, 'MiB/s', 'higher', target.name, P.multipartSize / MiB / r.seconds);
  record('mp-cpu', `${label} server CPU`, 's/GiB', 'lower', target.name, cpu / (P.multipartSize / GiB));
  record('mp-complete', `${label} Complete`, 'ms', 'lower', target.name, r.completeMs);
  record('mp-rss', `${label} peak RSS`, 'MiB', 'lower', target.name, peak, 'max');
  await c.deleteObject(BUCKET, key);
}

async function fourWay(target, run) {
  const c = target.client(4 * P.multipartConcurrency);
  const t = performance.now();
  const [, peak] = await withPeakRss(target.pid, () =>
    windowed('4 × 1 GiB multipart', target, () => Promise.all([0, 1, 2, 3].map((u) => multipartUploadOf(c, `mp4/${run}/${u}`, GiB)))),
  );
  const seconds = (performance.now() - t) / 1000;
  record('mp4-rate', '4 × 1 GiB multipart, concurrent', 'MiB/s', 'higher', target.name, (4 * GiB) / MiB / seconds);
  record('mp4-rss', '4 × 1 GiB multipart peak RSS', 'MiB', 'lower', target.name, peak, 'max');
  for (let u = 0; u < 4; u++) await c.deleteObject(BUCKET, `mp4/${run}/${u}`);
}

// Listing: keys a00…a99 / b0…b9 / c0…c9 / NNNNNN (key i: a = i mod 100, b = ⌊i/100⌋ mod 10, c = ⌊i/1000⌋ mod 10),
// so any first n keys spread evenly over the 100 top-level prefixes and the bucket can grow in place.
const listKey = (i) =>
  `a${String(i % 100).padStart(2, '0')}/b${Math.floor(i / 100) % 10}/c${Math.floor(i / 1000) % 10}/${String(i).padStart(6, '0')}`;
const seeding = [];

async function seedTo(target, from, to) {
  const c = target.client(P.seedConcurrency);
  const empty = Buffer.alloc(0);
  const result = await windowed('LIST seeding (0-byte PUT)', target, () =>
    runConcurrent({ total: to - from, concurrency: P.seedConcurrency, op: (i) => c.putObject(LIST_BUCKET, listKey(from + i), empty) }),
  );
  checkErrors('seeding', target, result);
  if (result.errors > 0) throw new Error('seeding failed');
  const entry = { from, to, seconds: result.elapsedMs / 1000, putsPerSecond: result.count / (result.elapsedMs / 1000) };
  seeding.push(entry);
  log(`  seeded ${from.toLocaleString('en')} → ${to.toLocaleString('en')} keys in ${entry.seconds.toFixed(1)} s (${entry.putsPerSecond.toFixed(0)} PUT/s, concurrency ${P.seedConcurrency})`);
}

async function timeMs(fn) {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

async function listingAt(target, size) {
  const c = target.client(1);
  const n = size.toLocaleString('en');
  for (let r = 0; r < P.fullListReps; r++) {
    let keys = 0;
    const [ms] = await windowed(`LIST full pagination, ${n} keys`, target, () => timeMs(async () => {
      let token;
      do {
        const page = await c.listObjectsV2(LIST_BUCKET, { token });
        keys += page.keys;
        token = page.next;
      } while (token !== undefined);
    }));
    if (keys !== size) throw new Error(`full listing returned ${keys} keys, expected ${size}`);
    record(`list-full-${size}`, `LIST full pagination, ${n} keys`, 'keys/s', 'higher', target.name, keys / (ms / 1000));
  }
  for (let r = 0; r < 3; r++) await c.listObjectsV2(LIST_BUCKET, { delimiter: '/' }); // warm
  for (let r = 0; r < P.listReps; r++) {
    const [ms, page] = await windowed(`LIST delimiter at root, ${n} keys`, target, () => timeMs(() => c.listObjectsV2(LIST_BUCKET, { delimiter: '/' })));
    if (page.prefixes !== P.listRootPrefixes) throw new Error(`root listing returned ${page.prefixes} prefixes`);
    record(`list-root-${size}`, `LIST delimiter at root, ${n} keys`, 'ms', 'lower', target.name, ms);
  }
  for (let r = 0; r < P.listReps; r++) {
    const [ms, page] = await windowed(`LIST delimiter in ${P.listInsidePrefix}, ${n} keys`, target, () =>
      timeMs(() => c.listObjectsV2(LIST_BUCKET, { prefix: P.listInsidePrefix, delimiter: '/' })),
    );
    if (page.prefixes + page.keys === 0) throw new Error('prefix listing returned nothing');
    record(`list-prefix-${size}`, `LIST delimiter in ${P.listInsidePrefix}, ${n} keys`, 'ms', 'lower', target.name, ms);
  }
}

/**
 * Versioned bucket against an unversioned one on the same server (sklad only; the ceiling has no versions):
 * 4 KiB PUT and GET, and a root delimiter listing, each recorded beside its unversioned twin.
 */
async function versionedOps(target, run) {
  const c = target.client(P.smallConcurrency);
  const body = Buffer.alloc(4 * KiB);
  randomFillSync(body);
  const base = { concurrency: P.smallConcurrency, maxMs: P.smallMaxMs };
  for (const [bucket, kind] of [[BUCKET, 'unversioned'], [VERSIONED_BUCKET, 'versioned']]) {
    // Each key written twice: the versioned bucket then keeps a noncurrent version of every key.
    const key = (i) => `ver/${run}/${String(i % Math.max(1, P.smallOps / 2)).padStart(6, '0')}`;
    const put = await windowed(`4 KiB PUT (${kind})`, target, () => runConcurrent({ ...base, total: P.smallOps, op: (i) => c.putObject(bucket, key(i), body) }));
    checkErrors(`4 KiB PUT (${kind})`, target, put);
    record(`versioning-put-${kind}`, `4 KiB PUT, ${kind} bucket`, 'ops/s', 'higher', target.name, put.count / (put.elapsedMs / 1000));
    const n = Math.max(1, Math.min(put.count, P.smallOps / 2));
    const get = await windowed(`4 KiB GET (${kind})`, target, () => runConcurrent({ ...base, total: P.smallOps, op: (i) => c.getObject(bucket, key(i % n)) }));
    checkErrors(`4 KiB GET (${kind})`, target, get);
    record(`versioning-get-${kind}`, `4 KiB GET, ${kind} bucket`, 'ops/s', 'higher', target.name, get.count / (get.elapsedMs / 1000));
    const lc = target.client(1);
    for (let r = 0; r < P.listReps; r++) {
      const [ms] = await timeMs(() => lc.listObjectsV2(bucket, { prefix: `ver/${run}/`, maxKeys: 1000 }));
      record(`versioning-list-${kind}`, `LIST 1,000 keys, ${kind} bucket`, 'ms', 'lower', target.name, ms);
    }
  }
}

/** A root delimiter listing of a bucket holding many keys with many versions each (sklad only). */
async function versionedListing(target) {
  const c = target.client(1);
  await c.createBucket(VERSIONED_LIST_BUCKET);
  await c.enableVersioning(VERSIONED_LIST_BUCKET);
  const seeder = target.client(P.seedConcurrency);
  const empty = Buffer.alloc(0);
  const keys = P.versionedListKeys;
  const n = keys.toLocaleString('en');
  for (let v = 0; v < P.versionsPerKey; v++) {
    const result = await windowed(`versioned LIST seeding, round ${v + 1}`, target, () =>
      runConcurrent({ total: keys, concurrency: P.seedConcurrency, op: (i) => seeder.putObject(VERSIONED_LIST_BUCKET, listKey(i), empty) }));
    checkErrors('versioned seeding', target, result);
    if (result.errors > 0) throw new Error('versioned seeding failed');
    log(`  versioned seeding: round ${v + 1} of ${P.versionsPerKey} over ${n} keys in ${(result.elapsedMs / 1000).toFixed(1)} s`);
  }
  for (let r = 0; r < 3; r++) await c.listObjectsV2(VERSIONED_LIST_BUCKET, { delimiter: '/' }); // warm
  for (let r = 0; r < P.listReps; r++) {
    const [ms, page] = await timeMs(() => c.listObjectsV2(VERSIONED_LIST_BUCKET, { delimiter: '/' }));
    if (page.prefixes !== P.listRootPrefixes) throw new Error(`versioned root listing returned ${page.prefixes} prefixes`);
    record(`versioned-list-root`, `LIST delimiter at root, ${n} keys × ${P.versionsPerKey} versions`, 'ms', 'lower', target.name, ms);
    const [vms, versions] = await timeMs(() => c.listObjectVersions(VERSIONED_LIST_BUCKET, { delimiter: '/' }));
    if (versions.prefixes !== P.listRootPrefixes) throw new Error(`ListObjectVersions at root returned ${versions.prefixes} prefixes`);
    record(`versioned-list-versions-root`, `ListObjectVersions delimiter at root, ${n} keys × ${P.versionsPerKey} versions`, 'ms', 'lower', target.name, vms);
  }
}

async function listing(target) {
  await target.client(1).createBucket(LIST_BUCKET);
  let seeded = 0;
  for (const size of P.listSizes) {
    await seedTo(target, seeded, size);
    seeded = size;
    await listingAt(target, size);
  }
}

// ---------------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------------

function fmt(value, unit) {
  if (value === undefined || Number.isNaN(value)) return '—';
  if (unit === 's/GiB') return value.toFixed(2);
  if (unit === 'ms') return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
  if (value >= 1000) return Math.round(value).toLocaleString('en');
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function table() {
  const lines = [['scenario', 'unit', 'sklad', 'ceiling', 'ratio']];
  for (const row of rows.values()) {
    const s = figure(row, 'sklad');
    const c = figure(row, 'ceiling');
    const ratio = s !== undefined && c !== undefined ? `${(s / c).toFixed(2)}×` : '—';
    lines.push([row.label + (row.agg === 'max' ? ' (max of runs)' : ''), row.unit, fmt(s, row.unit), fmt(c, row.unit), ratio]);
  }
  return lines;
}

function renderTable(lines) {
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  const render = (l) => l.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  return [render(lines[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.slice(1).map(render)].join('\n');
}

function targets() {
  const get = (id, t) => (rows.has(id) ? figure(rows.get(id), t) : undefined);
  const ratio = (id, cid = id) => {
    const s = get(id, 'sklad');
    const c = get(cid, 'ceiling');
    return s === undefined || c === undefined ? undefined : s / c;
  };
  const atLeast = (name, value, min, unit = '×') => ({
    name,
    value,
    goal: `≥ ${min}${unit}`,
    met: value === undefined ? undefined : value >= min,
    by: value === undefined ? undefined : `${(((value - min) / min) * 100).toFixed(0)} %`,
    show: value === undefined ? '—' : unit === '×' ? `${value.toFixed(2)}×` : `${fmt(value, unit)} ${unit.trim()}`,
  });
  const below = (name, value, max, unit, show = fmt(value, unit)) => ({
    name,
    value,
    goal: `< ${max} ${unit}`,
    met: value === undefined ? undefined : value < max,
    by: value === undefined ? undefined : `${(((value - max) / max) * 100).toFixed(0)} %`,
    show: value === undefined ? '—' : `${show} ${unit}`,
  });
  const largest = P.listSizes.at(-1);
  const growth = rows.has(`list-root-${largest}`) && largest > 10_000 ? get(`list-root-${largest}`, 'sklad') / get('list-root-10000', 'sklad') : undefined;
  const growthSpan = largest >= 1e6 ? '' : ` (${largest / 1000}k only)`;
  return [
    atLeast('4 KiB PUT vs ceiling', ratio('small-PUT-ops'), 1.0),
    atLeast('4 KiB GET vs ceiling', ratio('small-GET-ops'), 0.7),
    atLeast('4 KiB HEAD vs ceiling', ratio('small-HEAD-ops'), 0.7),
    atLeast('64 MiB PUT vs ceiling', ratio('big-PUT'), 0.8),
    atLeast('64 MiB GET vs ceiling', ratio('big-GET'), 0.9),
    atLeast(`${sizeLabel(P.multipartSize)} multipart vs ceiling single PUT`, ratio('mp-rate', 'big-PUT'), 0.8),
    below(`${sizeLabel(P.multipartSize)} multipart Complete`, get('mp-complete', 'sklad'), 1000, 'ms'),
    atLeast('LIST full pagination (100,000 keys)', get('list-full-100000', 'sklad'), 50_000, ' keys/s'),
    below('LIST root delimiter, 100,000 keys', get('list-root-100000', 'sklad'), 20, 'ms'),
    ...['put', 'get'].map((op) => atLeast(`4 KiB ${op.toUpperCase()} versioned within 10 % of unversioned`,
      get(`versioning-${op}-versioned`, 'sklad'), Math.round(0.9 * (get(`versioning-${op}-unversioned`, 'sklad') ?? NaN)), ' ops/s')),
    below('LIST 1,000 keys versioned within 10 % of unversioned', get('versioning-list-versioned', 'sklad'), Number((1.1 * (get('versioning-list-unversioned', 'sklad') ?? NaN)).toFixed(2)), 'ms'),
    below(`LIST root delimiter, ${P.versionedListKeys.toLocaleString('en')} keys × ${P.versionsPerKey} versions`, get('versioned-list-root', 'sklad'), 20, 'ms'),
    below(`LIST root delimiter growth 10k → 1M${growthSpan}`, growth, 2, '×', growth?.toFixed(2)),
    below('peak RSS, 4 × 1 GiB multipart', get('mp4-rss', 'sklad'), 200, 'MiB'),
    ...pg.targetValues().map((t) => atLeast(t.name, t.value, t.min)),
  ];
}

function renderTargets(list) {
  const lines = [['target', 'goal', 'measured', 'result']];
  for (const t of list) {
    const result = t.met === undefined ? 'not measured' : t.met ? `met (${t.by.startsWith('-') ? t.by : `+${t.by}`})` : `MISSED (${t.by.startsWith('-') ? t.by : `+${t.by}`})`;
    lines.push([t.name, t.goal, t.show, result]);
  }
  return renderTable(lines);
}

function summaryLine(list) {
  const ratios = [...rows.values()]
    .filter((r) => r.better === 'higher' && r.sklad.length && r.ceiling.length)
    .map((r) => ({ label: r.label, ratio: figure(r, 'sklad') / figure(r, 'ceiling') }));
  const gm = Math.exp(ratios.reduce((a, r) => a + Math.log(r.ratio), 0) / Math.max(1, ratios.length));
  const worst = ratios.reduce((w, r) => (w === undefined || r.ratio < w.ratio ? r : w), undefined);
  const measured = list.filter((t) => t.met !== undefined);
  const comparison = ratios.length
    ? `sklad/ceiling throughput geometric mean ${gm.toFixed(2)}× over ${ratios.length} scenarios (lowest: ${worst.label} ${worst.ratio.toFixed(2)}×)`
    : 'no sklad/ceiling comparison in this run';
  return `summary: ${comparison}; targets met ${measured.filter((t) => t.met).length}/${measured.length}`;
}

// ---------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------

async function main() {
  if (!existsSync(join(repo, 'dist', 'cli.js'))) {
    log('dist/ is missing: running npm run build');
    const built = spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('npm run build failed');
  }
  const started = new Date();
  const loadBefore = os.loadavg();
  const skladDir = await mkdtemp(join(os.tmpdir(), 'sklad-bench-'));
  tempDirs.push(skladDir);
  const ceilingDir = await mkdtemp(join(os.tmpdir(), 'sklad-bench-ceiling-'));
  tempDirs.push(ceilingDir);
  const profDir = flags['cpu-prof'] ? resolve(flags['cpu-prof']) : undefined;
  if (profDir) await mkdir(profDir, { recursive: true });
  const nodeFlags = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];

  const sklad = await startServer(
    'sklad',
    [...nodeFlags, 'bin/sklad', 'serve', '--data', skladDir, '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn'],
    { SKLAD_ACCESS_KEY: ACCESS_KEY, SKLAD_SECRET_KEY: SECRET_KEY, SKLAD_SHUTDOWN_GRACE_MS: '5000' },
  );
  const ceiling = await startServer('ceiling', [join(here, 'ceiling-server.mjs'), '--data', ceilingDir, '--host', '127.0.0.1', '--port', '0'], {});
  const makeTarget = (child) => {
    const clients = new Map();
    return {
      name: child.name,
      pid: child.pid,
      url: child.url,
      client(connections) {
        if (!clients.has(connections)) {
          clients.set(connections, new S3BenchClient({ endpoint: child.url, accessKey: ACCESS_KEY, secretKey: SECRET_KEY, connections }));
        }
        return clients.get(connections);
      },
      closeClients: () => Promise.all([...clients.values()].map((c) => c.close())),
    };
  };
  const both = [makeTarget(sklad), makeTarget(ceiling)];
  log(`sklad ${sklad.url} (pid ${sklad.pid}), ceiling ${ceiling.url} (pid ${ceiling.pid}); mode ${mode}, ${P.runs} runs, groups ${[...groups].join(',')}`);

  const idleRss = Object.fromEntries(both.map((t) => [t.name, rssKiB(t.pid) / 1024]));
  const durations = {};
  const timed = async (name, fn) => {
    const t = performance.now();
    log(`${name} …`);
    await fn();
    durations[name] = (performance.now() - t) / 1000;
    log(`${name}: ${durations[name].toFixed(1)} s`);
  };
  const interleaved = (fn) => async () => {
    for (let run = 0; run < P.runs; run++) for (const target of orderFor(run, both)) await fn(target, run);
  };

  try {
    for (const t of both) await t.client(1).createBucket(BUCKET);
    await timed('warmup', async () => {
      for (const t of both) await warmup(t);
    });
    if (groups.has('small')) await timed('4 KiB objects', interleaved(smallOps));
    if (groups.has('big')) await timed('64 MiB objects', interleaved(bigObjects));
    if (groups.has('multipart')) await timed('multipart', interleaved(multipart));
    if (groups.has('multi4')) await timed('4 × 1 GiB multipart', interleaved(fourWay));
    if (groups.has('list')) await timed('listing (sklad only)', () => listing(both[0]));
    if (groups.has('versioned')) {
      await both[0].client(1).createBucket(VERSIONED_BUCKET);
      await both[0].client(1).enableVersioning(VERSIONED_BUCKET);
      await timed('versioned against unversioned (sklad only)', async () => {
        for (let run = 0; run < P.runs; run++) await versionedOps(both[0], run);
      });
      await timed('versioned listing (sklad only)', () => versionedListing(both[0]));
    }
    if (groups.has('pg')) await timed('PostgreSQL gateways against SQLite', () => pg.run(both[0]));
  } finally {
    await Promise.all(both.map((t) => t.closeClients()));
    await Promise.all([stopServer(sklad), stopServer(ceiling)]);
    removeTempDirs();
  }

  const tableLines = table();
  const targetList = targets();
  const summary = summaryLine(targetList);
  const finished = new Date();
  console.log(`\nsklad benchmark — ${mode} mode, median of ${P.runs} runs (peak RSS: max of runs), ${finished.toISOString()}\n`);
  console.log(renderTable(tableLines));
  if (pg.measured()) console.log(`\nPostgreSQL metadata engine (one gateway, three round-robin) against SQLite\n\n${renderTable(pg.table())}`);
  if (seeding.length) {
    console.log(`\nLIST seeding (0-byte PUTs at concurrency ${P.seedConcurrency}): ` +
      seeding.map((s) => `${s.from.toLocaleString('en')}→${s.to.toLocaleString('en')} keys ${s.seconds.toFixed(1)} s (${s.putsPerSecond.toFixed(0)}/s)`).join('; '));
  }
  console.log(`idle RSS: sklad ${idleRss.sklad.toFixed(0)} MiB, ceiling ${idleRss.ceiling.toFixed(0)} MiB; load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`\ntargets\n\n${renderTargets(targetList)}`);
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\n${summary}`);

  const resultsDir = join(here, 'results');
  await mkdir(resultsDir, { recursive: true });
  const file = join(resultsDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
  const json = {
    started: started.toISOString(),
    finished: finished.toISOString(),
    mode,
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: {
      nproc: os.availableParallelism(),
      cpu: os.cpus()[0]?.model,
      memTotalGiB: os.totalmem() / GiB,
      node: process.version,
      loadBefore,
      loadAfter: os.loadavg(),
    },
    params: P,
    durationsSeconds: durations,
    idleRssMiB: idleRss,
    rows: [...rows.values()].map((r) => ({ ...r, skladFigure: figure(r, 'sklad'), ceilingFigure: figure(r, 'ceiling') })),
    pgRows: pg.json(),
    seeding,
    windows,
    targets: targetList,
    notes,
    summary,
  };
  await writeFile(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`results: ${file}`);

  if (profDir) {
    const fresh = readdirSync(profDir)
      .filter((n) => n.endsWith('.cpuprofile'))
      .map((n) => join(profDir, n))
      .filter((path) => statSync(path).mtimeMs >= started.getTime());
    for (const path of fresh) {
      const profile = JSON.parse(readFileSync(path, 'utf8'));
      console.log(`\n# sklad CPU profile ${path}, whole run`);
      console.log(formatSummary(summarizeProfile(profile, 20)));
      // One summary per scenario: the windows of all its runs against sklad, merged.
      const byLabel = new Map();
      for (const w of windows.filter((x) => x.target === 'sklad')) byLabel.set(w.label, [...(byLabel.get(w.label) ?? []), w]);
      for (const [label, list] of byLabel) {
        console.log(`\n## ${label}\n${formatSummary(summarizeProfile(profile, 15, list))}`);
      }
    }
  }
}

main().catch(async (error) => {
  killChildren();
  await Promise.all(children.map((c) => c.exited));
  removeTempDirs();
  console.error(error);
  process.exitCode = 1;
});
