// The throwaway cluster leaves nothing behind: a start-up that fails removes its folder (and the server it
// started) before the error is thrown, and stop() does the same for a running cluster.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startPostgres } from './postgres.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'sklad-pg-root-'));
  await chmod(root, 0o711); // run as root, the tests' PostgreSQL runs as the postgres user and must get through
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Processes whose command line names `dir` (a postgres server started in it). */
function processesIn(dir: string): string[] {
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return ps.stdout.split('\n').filter((line) => line.includes(dir));
}

it('removes the cluster when the server fails to start', { timeout: 60_000 }, async () => {
  // A setting the server refuses: initdb succeeds, postgres exits at start.
  await expect(startPostgres({ root, settings: { shared_buffers: 'plenty' } })).rejects.toThrow(/postgres exited/);
  expect(await readdir(root)).toEqual([]);
  expect(processesIn(root)).toEqual([]);
});

it('stops the server and removes the cluster on stop()', { timeout: 60_000 }, async () => {
  const cluster = await startPostgres({ root });
  expect((await cluster.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  expect(processesIn(cluster.dir).length).toBeGreaterThan(0);
  await cluster.stop();
  expect(await readdir(root)).toEqual([]);
  expect(processesIn(cluster.dir)).toEqual([]);
});
