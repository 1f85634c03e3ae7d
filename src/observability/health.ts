// Liveness and readiness: ready means the data folder takes writes and the index answers.
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MetadataIndex } from '../storage/metadata-index.js';

export interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

/** `probeDatabase`: a round trip to a networked metadata database (a cached answer proves nothing). */
export async function readiness(dataDir: string, index: MetadataIndex, probeDatabase?: () => Promise<void>): Promise<Readiness> {
  const checks: Record<string, string> = {};
  const probe = path.join(dataDir, 'tmp', `ready-${randomBytes(6).toString('hex')}`);
  try {
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
    checks.dataFolder = 'ok';
  } catch (e) {
    checks.dataFolder = `not writable: ${(e as Error).message}`;
  }
  try {
    await index.getBucket('-readiness-probe-');
    await probeDatabase?.();
    checks.index = 'ok';
  } catch (e) {
    checks.index = `not usable: ${(e as Error).message}`;
  }
  return { ready: Object.values(checks).every((c) => c === 'ok'), checks };
}
