// The `pg` group of `npm run bench`: the PostgreSQL metadata engine beside single-node SQLite, in the same run.
// Starts a throwaway PostgreSQL cluster (test/support/postgres-cluster.mjs, the tests' own) and three sklad gateways
// over one database and one blob folder, then measures three targets, interleaved run by run:
//   sqlite — the runner's single-node sklad (SQLite index, the same build and machine)
//   pg1    — one gateway on PostgreSQL (requests to gateway 1 only)
//   pg3    — the three gateways, the client spreading requests round-robin (16 in flight per gateway)
// Scenarios: 4 KiB PUT/GET/HEAD, 64 MiB PUT/GET, one multipart upload, LIST (full pagination and a root
// delimiter listing). Its own table, and two targets: pg1 small PUT ÷ sqlite, and pg3 ÷ pg1 aggregate.
import { randomFillSync } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startPostgres } from '../test/support/postgres-cluster.mjs';
import { S3BenchClient, multipartUpload, quantile, runConcurrent } from './client.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const BUCKET = 'pg-group';
const GATEWAYS = 3;
const COLUMNS = ['sqlite', 'pg1', 'pg3'];
/** Requests of each kind per server right before a target's 4 KiB measurements (see small()). */
const REWARM_OPS = 500;

/** A client that sends each call to the next of `clients` in turn (the bench client signs per request). */
function roundRobin(clients) {
  let next = 0;
  return new Proxy({}, {
    get(_, method) {
      if (method === 'close') return () => Promise.all(clients.map((c) => c.close()));
      return (...args) => {
        const client = clients[next++ % clients.length];
        return client[method](...args);
      };
    },
  });
}

/**
 * `runner`: what the group borrows from bench/run.mjs — its parameters `P` and `quick`, `log`,
 * `startServer` and `stopServer` (children it kills on failure), `tempDirs` (folders it removes), and the
 * credentials.
 */
export function createPgGroup(runner) {
  const { P, log, startServer, stopServer, tempDirs, accessKey, secretKey } = runner;
  /** Keys of each target's LIST scenario. */
  const listKeys = runner.quick ? 2_000 : 10_000;
  /** id → { id, label, unit, better, sqlite: [], pg1: [], pg3: [] } */
  const rows = new Map();
  const median = (xs) => quantile(xs, 0.5);
  const record = (id, label, unit, better, column, value) => {
    if (!rows.has(id)) rows.set(id, { id, label, unit, better, sqlite: [], pg1: [], pg3: [] });
    rows.get(id)[column].push(value);
  };
  const figure = (id, column) => {
    const xs = rows.get(id)?.[column] ?? [];
    return xs.length === 0 ? undefined : median(xs);
  };

  const target = (name, urls) => {
    const clients = new Map();
    return {
      name,
      /** `connections` per gateway. */
      client(connections) {
        if (!clients.has(connections)) {
          const each = urls.map((endpoint) => new S3BenchClient({ endpoint, accessKey, secretKey, connections }));
          clients.set(connections, each.length === 1 ? each[0] : roundRobin(each));
        }
        return clients.get(connections);
      },
      /** Requests kept in flight for `perGateway` per gateway. */
      concurrency: (perGateway) => perGateway * urls.length,
      servers: urls.length,
      close: () => Promise.all([...clients.values()].map((c) => c.close())),
    };
  };

  const failOnErrors = (what, t, result) => {
    if (result.errors > 0) throw new Error(`${what} on ${t.name}: ${result.errors} errors; first: ${result.firstError?.message ?? result.firstError}`);
  };

  async function small(t, run) {
    const c = t.client(P.smallConcurrency);
    const body = Buffer.alloc(4 * KiB);
    randomFillSync(body);
    const key = (i) => `${t.name}/small/${run}/${String(i).padStart(6, '0')}`;
    const base = { concurrency: t.concurrency(P.smallConcurrency), maxMs: P.smallMaxMs };
    // A gateway that sat idle while the other targets ran (pg3's gateways 2 and 3, for the two scenarios before
    // theirs) starts measurably slower than one that was just busy: a second of the same work first.
    const warmKey = (i) => `${t.name}/small-warm/${run}/${i}`;
    const warm = { ...base, total: REWARM_OPS * t.servers, maxMs: Infinity };
    for (const op of [(i) => c.putObject(BUCKET, warmKey(i), body), (i) => c.getObject(BUCKET, warmKey(i)), (i) => c.headObject(BUCKET, warmKey(i)), (i) => c.deleteObject(BUCKET, warmKey(i))]) {
      failOnErrors('4 KiB re-warm', t, await runConcurrent({ ...warm, op }));
    }
    const measure = async (op, options) => {
      const result = await runConcurrent({ ...base, ...options });
      failOnErrors(`4 KiB ${op}`, t, result);
      record(`small-${op}`, `4 KiB ${op}`, 'ops/s', 'higher', t.name, result.count / (result.elapsedMs / 1000));
      record(`small-${op}-p99`, `4 KiB ${op} p99`, 'ms', 'lower', t.name, quantile(result.latencies, 0.99));
      return result;
    };
    const put = await measure('PUT', { total: P.smallOps, op: (i) => c.putObject(BUCKET, key(i), body) });
    const n = Math.max(1, put.count);
    await measure('GET', { total: P.smallOps, op: (i) => c.getObject(BUCKET, key(i % n)) });
    await measure('HEAD', { total: P.smallOps, op: (i) => c.headObject(BUCKET, key(i % n)) });
    const removed = await runConcurrent({ ...base, maxMs: Infinity, total: put.count, op: (i) => c.deleteObject(BUCKET, key(i)) });
    failOnErrors('4 KiB DELETE', t, removed);
  }

  let bigBody;
  const big = () => {
    bigBody ??= randomFillSync(Buffer.allocUnsafe(P.bigSize));
    return bigBody;
  };

  async function large(t, run) {
    const c = t.client(1);
    const key = (j) => `${t.name}/big/${run}/${j}`;
    let started = performance.now();
    for (let j = 0; j < P.bigReps; j++) await c.putObject(BUCKET, key(j), big());
    record('big-PUT', '64 MiB PUT', 'MiB/s', 'higher', t.name, (P.bigReps * P.bigSize) / MiB / ((performance.now() - started) / 1000));
    started = performance.now();
    for (let j = 0; j < P.bigReps; j++) {
      const { bytes } = await c.getObject(BUCKET, key(j));
      if (bytes !== P.bigSize) throw new Error(`${t.name}: 64 MiB GET returned ${bytes} bytes`);
    }
    record('big-GET', '64 MiB GET', 'MiB/s', 'higher', t.name, (P.bigReps * P.bigSize) / MiB / ((performance.now() - started) / 1000));
    for (let j = 0; j < P.bigReps; j++) await c.deleteObject(BUCKET, key(j));
  }

  async function multipart(t, run) {
    const c = t.client(P.multipartConcurrency);
    const key = `${t.name}/mp/${run}`;
    const { seconds } = await multipartUpload(c, { bucket: BUCKET, key, size: P.multipartSize, body: big(), partSize: P.partSize, concurrency: P.multipartConcurrency });
    record('mp-rate', `${P.multipartSize / MiB} MiB multipart`, 'MiB/s', 'higher', t.name, P.multipartSize / MiB / seconds);
    await c.deleteObject(BUCKET, key);
  }

  /** Seeds `keys` empty objects under the target's own prefix once, then times listings of them. */
  const seeded = new Set();
  async function listing(t) {
    const prefix = `${t.name}/list/`;
    const keys = listKeys;
    const listKey = (i) => `${prefix}a${String(i % 100).padStart(2, '0')}/${String(i).padStart(6, '0')}`;
    if (!seeded.has(t.name)) {
      const seeder = t.client(P.seedConcurrency);
      const result = await runConcurrent({ total: keys, concurrency: P.seedConcurrency, op: (i) => seeder.putObject(BUCKET, listKey(i), Buffer.alloc(0)) });
      failOnErrors('LIST seeding', t, result);
      seeded.add(t.name);
    }
    const c = t.client(1);
    let listed = 0;
    let token;
    const started = performance.now();
    do {
      const page = await c.listObjectsV2(BUCKET, { prefix, token });
      listed += page.keys;
      token = page.next;
    } while (token !== undefined);
    if (listed !== keys) throw new Error(`${t.name}: full listing returned ${listed} keys, expected ${keys}`);
    record('list-full', `LIST full pagination, ${keys.toLocaleString('en')} keys`, 'keys/s', 'higher', t.name, listed / ((performance.now() - started) / 1000));
    for (let r = 0; r < P.listReps; r++) {
      const at = performance.now();
      const page = await c.listObjectsV2(BUCKET, { prefix, delimiter: '/' });
      if (page.prefixes !== 100) throw new Error(`${t.name}: delimiter listing returned ${page.prefixes} prefixes`);
      record('list-root', `LIST delimiter, ${keys.toLocaleString('en')} keys`, 'ms', 'lower', t.name, performance.now() - at);
    }
  }

  /**
   * The runner warms its servers up before measuring; the gateways get more of the same: 4 KiB PUT, GET, HEAD
   * and DELETE through each, `gatewayWarmupOps` of each. A gateway, and each of its PostgreSQL connections
   * (a backend plans the statements and compiles the functions it runs for itself), take thousands of requests
   * to reach their steady speed: with the runner's few hundred, a gateway measured first ran 15–40 % slower
   * than the same gateway later in the run, and gateway 1 (which pg1 measures too) was always the warmest of
   * the three when pg3 ran.
   */
  const gatewayWarmupOps = runner.quick ? 3_000 : 6_000;
  async function warmGateway(url) {
    const c = new S3BenchClient({ endpoint: url, accessKey, secretKey, connections: 16 });
    try {
      const body = Buffer.alloc(4 * KiB, 1);
      const total = gatewayWarmupOps;
      const key = (i) => `warm/${url}/${i}`;
      for (const op of [(i) => c.putObject(BUCKET, key(i), body), (i) => c.getObject(BUCKET, key(i)), (i) => c.headObject(BUCKET, key(i)), (i) => c.deleteObject(BUCKET, key(i))]) {
        failOnErrors('warm-up', { name: url }, await runConcurrent({ total, concurrency: 16, op }));
      }
    } finally {
      await c.close();
    }
  }

  /** Starts the cluster and the gateways, measures, and stops everything again (also on failure). */
  async function run(sqlite) {
    const cluster = await startPostgres();
    const gateways = [];
    const targets = [];
    try {
      const database = new URL(await cluster.createDatabase()).pathname.slice(1);
      const dataDir = await mkdtemp(join(os.tmpdir(), 'sklad-bench-pg-'));
      tempDirs.push(dataDir);
      const env = {
        SKLAD_ACCESS_KEY: accessKey,
        SKLAD_SECRET_KEY: secretKey,
        SKLAD_SHUTDOWN_GRACE_MS: '5000',
        // Over the cluster's Unix socket, as a gateway on the database's own machine connects (libpq's default
        // too): on loopback TCP each round trip also pays the kernel's network path, a third of a small PUT's
        // gateway CPU in a profile (see docs/performance.md).
        SKLAD_METADATA_URL: `postgres://sklad@/${database}?host=${encodeURIComponent(cluster.dir)}&port=${cluster.port}`,
      };
      // One after the other: the first generates the shared master key file the others read.
      for (let g = 1; g <= GATEWAYS; g++) {
        gateways.push(await startServer(`pg gateway ${g}`,
          ['bin/sklad', 'serve', '--data', dataDir, '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn'],
          { ...env, SKLAD_GATEWAY_ID: `gw${g}` }));
      }
      log(`PostgreSQL on port ${cluster.port}; gateways ${gateways.map((g) => g.url).join(', ')}`);
      targets.push(target('sqlite', [sqlite.url]), target('pg1', [gateways[0].url]), target('pg3', gateways.map((g) => g.url)));
      await targets[0].client(1).createBucket(BUCKET);
      await targets[1].client(1).createBucket(BUCKET); // pg3 shares pg1's database
      for (const g of gateways) await warmGateway(g.url);
      for (const [name, scenario] of [['4 KiB', small], ['64 MiB', large], ['multipart', multipart], ['LIST', listing]]) {
        log(`  pg group: ${name}`);
        for (let r = 0; r < P.runs; r++) {
          const order = r % 2 === 0 ? targets : [...targets].reverse();
          for (const t of order) {
            // Every scenario ends by deleting what it wrote. Left to autovacuum, those dead rows would be
            // cleaned up while the next target is measured (pg3 right after pg1 in two runs of three), so
            // each target starts on a vacuumed database instead.
            await cluster.query('VACUUM', database);
            await scenario(t, r);
          }
        }
      }
    } finally {
      await Promise.all(targets.map((t) => t.close()));
      await Promise.all(gateways.map((g) => stopServer(g)));
      await cluster.stop();
    }
  }

  /** Rows for the runner's table renderer: scenario, unit, the three columns and the two ratios. */
  function table() {
    const show = (value, unit) => (value === undefined ? '—' : unit === 'ms' ? value.toFixed(2) : value >= 1000 ? Math.round(value).toLocaleString('en') : value.toFixed(1));
    const ratio = (a, b) => (a === undefined || b === undefined ? '—' : `${(a / b).toFixed(2)}×`);
    const lines = [['scenario', 'unit', 'SQLite', 'PG 1 gw', 'PG 3 gw', 'PG1/SQLite', 'PG3/PG1']];
    for (const row of rows.values()) {
      const [s, one, three] = COLUMNS.map((c) => figure(row.id, c));
      lines.push([row.label, row.unit, show(s, row.unit), show(one, row.unit), show(three, row.unit), ratio(one, s), ratio(three, one)]);
    }
    return lines;
  }

  /** The group's performance targets as { name, value, min } (value undefined when not measured). */
  function targetValues() {
    const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);
    return [
      { name: 'PostgreSQL, 1 gateway: 4 KiB PUT vs SQLite', value: ratio(figure('small-PUT', 'pg1'), figure('small-PUT', 'sqlite')), min: 0.5 },
      { name: 'PostgreSQL, 3 gateways vs 1: 4 KiB PUT aggregate', value: ratio(figure('small-PUT', 'pg3'), figure('small-PUT', 'pg1')), min: 1.0 },
      { name: 'PostgreSQL, 3 gateways vs 1: 4 KiB GET aggregate', value: ratio(figure('small-GET', 'pg3'), figure('small-GET', 'pg1')), min: 1.0 },
    ];
  }

  const json = () => [...rows.values()].map((r) => ({ ...r, ...Object.fromEntries(COLUMNS.map((c) => [`${c}Figure`, figure(r.id, c)])) }));

  return { run, table, targetValues, json, measured: () => rows.size > 0 };
}
