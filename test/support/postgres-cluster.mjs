// A throwaway PostgreSQL cluster, for the tests (test/support/postgres.ts) and the benchmark (bench/pg.mjs):
// initdb in a temporary folder, one postgres process on a free local port with its unix socket in that
// folder, fsync off (a throwaway cluster need not survive power loss). PostgreSQL refuses to run as root, so
// when run as root its processes run as the `postgres` system user that Debian's package creates.
// A cluster never outlives what started it: a start-up that fails stops and removes what it had made, and
// clusters still running when the process exits (a failed test file's setup, Ctrl-C) are stopped then.
// Plain JavaScript, so that both the TypeScript tests and the benchmark's plain modules can import it.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

const SUPERUSER = 'sklad';

/** The newest PostgreSQL's binaries folder; throws when none is installed. */
function binaries() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run test/install-system-deps.sh');
  }
  return join(root, newest, 'bin');
}

/** uid and gid to run PostgreSQL as: ourselves, or the postgres system user when we are root. */
function runAs() {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  const gid = id('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no `postgres` system user to run PostgreSQL as');
  return { uid, gid };
}

/** A TCP port nothing listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Clusters of this process not stopped yet: folder and server, for the exit hook below. */
const live = new Set();
let exitHook = false;

function stopAllAtExit() {
  // Only synchronous work is possible here: signal the servers and remove their folders.
  for (const cluster of live) {
    if (cluster.server && cluster.server.exitCode === null && cluster.server.signalCode === null) cluster.server.kill('SIGQUIT');
    rmSync(cluster.dir, { recursive: true, force: true });
  }
  live.clear();
}

async function waitReady(url, cluster, log) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (cluster.spawnError) throw new Error(`postgres could not be started: ${cluster.spawnError.message}`);
    if (cluster.server.exitCode !== null) throw new Error(`postgres exited with ${cluster.server.exitCode}:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error(`postgres did not become ready: ${String(error)}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Signals the server (if it runs) and waits for it to exit, then removes the folder. */
async function teardown(cluster) {
  const server = cluster.server;
  if (server && server.exitCode === null && server.signalCode === null && !cluster.spawnError) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGQUIT'); // immediate shutdown: nothing in a throwaway cluster is worth a checkpoint
    await exited;
  }
  await rm(cluster.dir, { recursive: true, force: true });
  live.delete(cluster);
}

/**
 * Starts a cluster. `root`: the folder to make the cluster's temporary folder in (the system's by default);
 * `settings`: further `-c name=value` server settings.
 */
export async function startPostgres(options = {}) {
  const bin = binaries();
  const user = runAs();
  if (!exitHook) {
    process.once('exit', stopAllAtExit);
    exitHook = true;
  }
  const cluster = { dir: await mkdtemp(join(options.root ?? tmpdir(), 'sklad-pg-')), server: undefined, spawnError: undefined };
  live.add(cluster);
  const { dir } = cluster;
  let output = '';
  let port;
  try {
    if (user) await chown(dir, user.uid, user.gid);
    const data = join(dir, 'data');
    const init = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], {
      ...user,
      cwd: dir,
      encoding: 'utf8',
    });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error?.message}`);
    port = await freePort();
    const settings = Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
    cluster.server = spawn(join(bin, 'postgres'), [
      '-D', data, '-p', String(port), '-k', dir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=300', '-c', 'shared_buffers=64MB',
      // Cross-gateway deadlocks are retried; detecting them quickly keeps tests short.
      '-c', 'deadlock_timeout=100ms',
      ...settings,
    ], { ...user, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    cluster.server.once('error', (error) => {
      cluster.spawnError = error;
    });
    const collect = (chunk) => {
      output = (output + chunk.toString()).slice(-20_000);
    };
    cluster.server.stdout?.on('data', collect);
    cluster.server.stderr?.on('data', collect);
    await waitReady(`postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`, cluster, () => output);
  } catch (error) {
    await teardown(cluster);
    throw error;
  }
  const url = (database = 'postgres') => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
  const query = async (sql, database) => {
    const client = new pg.Client({ connectionString: url(database) });
    await client.connect();
    try {
      return await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    port,
    dir,
    url,
    query,
    stop: () => teardown(cluster),
    async createDatabase() {
      const name = `t_${randomBytes(6).toString('hex')}`;
      await query(`CREATE DATABASE ${name}`);
      return url(name);
    },
  };
}
