// Root credentials: the operator's (from the environment), or generated once and kept in the data folder.
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../storage/file-modes.js';
import { newAccessKeyPair } from '../identity/access-keys.js';

export interface RootCredentials {
  accessKey: string;
  secretKey: string;
  /** True only on the start that created them: the one time they are shown. */
  generated: boolean;
}

/** Where a server keeps the root credentials it generated, inside its data folder. */
export const ROOT_CREDENTIALS_FILE = 'root-credentials.json';

/** The stored pair from the file's text; throws (naming the file) when it does not hold one. */
export function parseRootCredentials(text: string, file: string): { accessKey: string; secretKey: string } {
  const stored = JSON.parse(text) as { accessKey?: unknown; secretKey?: unknown };
  if (typeof stored.accessKey !== 'string' || typeof stored.secretKey !== 'string') {
    throw new Error(`${file} does not hold accessKey and secretKey: remove it to generate new root credentials`);
  }
  return { accessKey: stored.accessKey, secretKey: stored.secretKey };
}

export async function loadRootCredentials(dataDir: string, given?: { accessKey: string; secretKey: string }): Promise<RootCredentials> {
  if (given) return { ...given, generated: false };
  const file = path.join(dataDir, ROOT_CREDENTIALS_FILE);
  try {
    return { ...parseRootCredentials(await readFile(file, 'utf8'), file), generated: false };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const { accessKeyId, secretKey } = newAccessKeyPair();
  const created = { accessKey: accessKeyId, secretKey };
  await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(created, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
  await rename(tmp, file);
  return { ...created, generated: true };
}
