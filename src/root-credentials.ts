// Root credentials: the operator's (from the environment), or generated once and kept in the data folder.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';

export interface RootCredentials {
  accessKey: string;
  secretKey: string;
  /** True only on the start that created them: the one time they are shown. */
  generated: boolean;
}

const FILE = 'root-credentials.json';
const ACCESS_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomAccessKey(): string {
  const bytes = randomBytes(20);
  let key = 'SK';
  for (let i = 0; key.length < 20; i++) key += ACCESS_ALPHABET[bytes[i]! % ACCESS_ALPHABET.length];
  return key;
}

export async function loadRootCredentials(dataDir: string, given?: { accessKey: string; secretKey: string }): Promise<RootCredentials> {
  if (given) return { ...given, generated: false };
  const file = path.join(dataDir, FILE);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { accessKey?: unknown; secretKey?: unknown };
    if (typeof stored.accessKey === 'string' && typeof stored.secretKey === 'string') {
      return { accessKey: stored.accessKey, secretKey: stored.secretKey, generated: false };
    }
    throw new Error(`${file} is not valid: remove it to generate new root credentials`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const created = { accessKey: randomAccessKey(), secretKey: randomBytes(30).toString('base64url') };
  await mkdir(dataDir, { recursive: true });
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(created, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, file);
  return { ...created, generated: true };
}
