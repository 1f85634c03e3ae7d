import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCrashIterations } from '../support/crash-harness.js';

// SKLAD_CRASH_ITERATIONS and SKLAD_CRASH_SEED select a longer or different run (bench/soak mode).
const iterations = Number(process.env.SKLAD_CRASH_ITERATIONS ?? 20);
const seed = Number(process.env.SKLAD_CRASH_SEED ?? 20261129);
let dataDir: string | undefined;
let versionedDir: string | undefined;
afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  if (versionedDir) await rm(versionedDir, { recursive: true, force: true });
});

describe('crash consistency', () => {
  it(`survives ${iterations} SIGKILLs under concurrent writes and lifecycle runs with nothing lost or torn (seed ${seed})`, async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-crash-'));
    const report = await runCrashIterations({ dataDir, seed, iterations });
    console.log(`crash consistency: ${report.kills} kills, seed ${report.seed}, operations ${JSON.stringify(report.counts)}, ${report.violations.length} violations`);
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(iterations);
    expect(report.counts.put + report.counts.multipart).toBeGreaterThan(iterations);
    // Lifecycle rules ran between and across the kills, and did delete.
    expect(report.counts.expired).toBeGreaterThan(0);
  }, 600_000);

  const versionedKills = Math.max(1, Math.round(iterations / 2));
  it(`survives ${versionedKills} SIGKILLs under versioned writes, delete markers and version deletes (seed ${seed + 1})`, async () => {
    versionedDir = await mkdtemp(path.join(tmpdir(), 'sklad-crash-versioned-'));
    const report = await runCrashIterations({ dataDir: versionedDir, seed: seed + 1, iterations: versionedKills, versioned: true });
    console.log(`versioned crash consistency: ${report.kills} kills, operations ${JSON.stringify(report.counts)}, ${report.violations.length} violations`);
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(versionedKills);
    expect(report.counts.deleteVersion).toBeGreaterThan(0);
  }, 600_000);
});
