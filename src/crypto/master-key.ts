// Where the master key comes from: SKLAD_MASTER_KEY (base64), a key file (--master-key-file), or
// DATA/master.key, generated (mode 600) on the first start that finds none. Retired keys, kept only to
// unwrap data keys they wrapped, come from SKLAD_OLD_MASTER_KEYS.
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Keyring, MASTER_KEY_BYTES, masterKey, type MasterKey } from './keyring.js';

export const MASTER_KEY_FILE = 'master.key';

export interface MasterKeySources {
  dataDir: string;
  /** base64 of 32 bytes (SKLAD_MASTER_KEY). */
  masterKey?: string;
  /** File holding the key as base64 text or 32 raw bytes. */
  masterKeyFile?: string;
  /** base64 keys that may still be needed to unwrap (SKLAD_OLD_MASTER_KEYS). */
  oldMasterKeys?: string[];
  /** Create DATA/master.key when no key is given and none exists (servers do; `sklad scrub` does not). */
  generate: boolean;
}

export interface LoadedKeyring {
  keyring: Keyring;
  /** Where the current key came from, for the start-up log (never the key). */
  source: string;
  /** Set when this call created the key file. */
  generatedFile?: string;
  /** Set when the key file can be read by others than its owner. */
  looseFilePermissions?: string;
}

export class MasterKeyError extends Error {}

/** Strict base64 (or base64url) of exactly 32 bytes. */
export function decodeKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) throw new MasterKeyError(`${what} must be the base64 encoding of ${MASTER_KEY_BYTES} bytes`);
  return Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

async function readKeyFile(file: string): Promise<Buffer> {
  const content = await readFile(file).catch((e: NodeJS.ErrnoException) => {
    throw new MasterKeyError(`cannot read the master key file ${file}: ${e.code ?? e.message}`);
  });
  if (content.length === MASTER_KEY_BYTES) return content;
  return decodeKey(content.toString('latin1'), `the master key file ${file}`);
}

async function looseMode(file: string): Promise<string | undefined> {
  if (process.platform === 'win32') return undefined;
  const mode = (await stat(file)).mode & 0o777;
  return (mode & 0o077) !== 0 ? mode.toString(8) : undefined;
}

/** Writes a new random key to `file` (mode 600), durably, without ever replacing an existing file. */
async function createKeyFile(file: string): Promise<Buffer> {
  const key = randomBytes(MASTER_KEY_BYTES);
  const tmp = `${file}.tmp`;
  await unlink(tmp).catch(() => undefined);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${key.toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
  if (process.platform !== 'win32') {
    const dir = await open(path.dirname(file), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
  return key;
}

export async function loadKeyring(sources: MasterKeySources): Promise<LoadedKeyring> {
  if (sources.masterKey !== undefined && sources.masterKeyFile !== undefined) {
    throw new MasterKeyError('give the master key either as SKLAD_MASTER_KEY or as a key file, not both');
  }
  const old: MasterKey[] = (sources.oldMasterKeys ?? []).map((k, i) => masterKey(decodeKey(k, `SKLAD_OLD_MASTER_KEYS entry ${i + 1}`)));
  let current: MasterKey;
  const loaded: Omit<LoadedKeyring, 'keyring'> = { source: '' };
  if (sources.masterKey !== undefined) {
    current = masterKey(decodeKey(sources.masterKey, 'SKLAD_MASTER_KEY'));
    loaded.source = 'SKLAD_MASTER_KEY';
  } else {
    const file = sources.masterKeyFile ?? path.join(sources.dataDir, MASTER_KEY_FILE);
    let key: Buffer;
    try {
      key = await readKeyFile(file);
    } catch (e) {
      const missing = sources.masterKeyFile === undefined && sources.generate && (await stat(file).catch(() => undefined)) === undefined;
      if (!missing) throw e;
      key = await createKeyFile(file);
      loaded.generatedFile = file;
    }
    current = masterKey(key);
    loaded.source = file;
    loaded.looseFilePermissions = await looseMode(file);
  }
  return { keyring: new Keyring(current, old.filter((k) => k.id !== current.id)), ...loaded };
}
