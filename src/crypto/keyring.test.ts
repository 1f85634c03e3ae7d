import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { keyVerifier, matchesVerifier } from './customer-key.js';
import { Keyring, MasterKeyUnavailableError, masterKey, masterKeyId } from './keyring.js';
import { loadKeyring, MasterKeyError } from './master-key.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sklad-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('Keyring', () => {
  it('re-wraps a data key of a retired master key under the current one, and leaves current ones alone', () => {
    const oldKey = masterKey(randomBytes(32));
    const newKey = masterKey(randomBytes(32));
    const dataKey = Keyring.newDataKey();
    const underOld = new Keyring(oldKey).wrap(dataKey);
    const ring = new Keyring(newKey, [oldKey]);
    const moved = ring.rewrap(underOld)!;
    expect(moved.keyId).toBe(newKey.id);
    expect(new Keyring(newKey).unwrap(moved).equals(dataKey)).toBe(true);
    expect(ring.rewrap(moved)).toBeUndefined();
    expect(() => new Keyring(newKey).rewrap(underOld)).toThrow(MasterKeyUnavailableError);
  });

  it('wraps and unwraps data keys under the current key, naming it by id', () => {
    const key = randomBytes(32);
    const ring = new Keyring(masterKey(key));
    expect(ring.currentId).toBe(masterKeyId(key));
    expect(ring.currentId).toMatch(/^[0-9a-f]{16}$/);
    const dataKey = Keyring.newDataKey();
    const wrapped = ring.wrap(dataKey);
    expect(wrapped.keyId).toBe(ring.currentId);
    expect(Buffer.from(wrapped.wrappedKey, 'base64').includes(dataKey)).toBe(false);
    expect(ring.unwrap(wrapped).equals(dataKey)).toBe(true);
    expect(ring.wrap(dataKey).wrappedKey).not.toBe(wrapped.wrappedKey);
  });

  it('unwraps with retired keys, refuses unknown ids and damaged wrappings', () => {
    const oldKey = masterKey(randomBytes(32));
    const dataKey = Keyring.newDataKey();
    const wrappedOld = new Keyring(oldKey).wrap(dataKey);
    const rotated = new Keyring(masterKey(randomBytes(32)), [oldKey]);
    expect(rotated.unwrap(wrappedOld).equals(dataKey)).toBe(true);
    expect(rotated.wrap(dataKey).keyId).not.toBe(oldKey.id);
    expect(() => new Keyring(masterKey(randomBytes(32))).unwrap(wrappedOld)).toThrow(MasterKeyUnavailableError);
    const bytes = Buffer.from(wrappedOld.wrappedKey, 'base64');
    bytes[20]! ^= 1;
    expect(() => rotated.unwrap({ ...wrappedOld, wrappedKey: bytes.toString('base64') })).toThrow(/damaged/);
    // The key id is bound to the wrapping: relabelling it does not unwrap.
    const impostor = masterKey(randomBytes(32));
    const relabelled = new Keyring(oldKey, [impostor]);
    expect(() => relabelled.unwrap({ ...wrappedOld, keyId: impostor.id })).toThrow();
  });
});

describe('customer key verifiers', () => {
  it('recognise the same key only, with a fresh salt each time', () => {
    const key = randomBytes(32);
    const a = keyVerifier(key);
    const b = keyVerifier(key);
    expect(a.verifierSalt).not.toBe(b.verifierSalt);
    expect(matchesVerifier(key, a)).toBe(true);
    expect(matchesVerifier(randomBytes(32), a)).toBe(false);
    expect(matchesVerifier(key.subarray(0, 16), a)).toBe(false);
  });
});

describe('loadKeyring', () => {
  it('generates DATA/master.key with mode 600 once, then reads the same key', async () => {
    const dataDir = await tempDir();
    const first = await loadKeyring({ dataDir, generate: true });
    const file = path.join(dataDir, 'master.key');
    expect(first.generatedFile).toBe(file);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    const second = await loadKeyring({ dataDir, generate: true });
    expect(second.generatedFile).toBeUndefined();
    expect(second.keyring.currentId).toBe(first.keyring.currentId);
    expect(second.source).toBe(file);
  });

  it('does not generate when told not to, nor replace an unreadable key file', async () => {
    const dataDir = await tempDir();
    await expect(loadKeyring({ dataDir, generate: false })).rejects.toThrow(MasterKeyError);
    await writeFile(path.join(dataDir, 'master.key'), 'not a key');
    await expect(loadKeyring({ dataDir, generate: true })).rejects.toThrow(/base64/);
    expect(await readFile(path.join(dataDir, 'master.key'), 'utf8')).toBe('not a key');
  });

  it('takes the key from SKLAD_MASTER_KEY or a key file (base64 text or 32 raw bytes)', async () => {
    const dataDir = await tempDir();
    const key = randomBytes(32);
    const fromEnv = await loadKeyring({ dataDir, masterKey: key.toString('base64'), generate: true });
    expect(fromEnv.keyring.currentId).toBe(masterKeyId(key));
    expect(fromEnv.generatedFile).toBeUndefined();
    await expect(stat(path.join(dataDir, 'master.key'))).rejects.toThrow();
    const raw = path.join(dataDir, 'raw.key');
    await writeFile(raw, key);
    expect((await loadKeyring({ dataDir, masterKeyFile: raw, generate: true })).keyring.currentId).toBe(masterKeyId(key));
    const text = path.join(dataDir, 'text.key');
    await writeFile(text, `${key.toString('base64url')}\n`);
    expect((await loadKeyring({ dataDir, masterKeyFile: text, generate: true })).keyring.currentId).toBe(masterKeyId(key));
    await expect(loadKeyring({ dataDir, masterKeyFile: path.join(dataDir, 'missing.key'), generate: true })).rejects.toThrow(MasterKeyError);
    await expect(loadKeyring({ dataDir, masterKey: 'AAAA', generate: true })).rejects.toThrow(MasterKeyError);
  });

  it('adds retired keys for unwrapping only', async () => {
    const dataDir = await tempDir();
    const current = randomBytes(32);
    const old = randomBytes(32);
    const loaded = await loadKeyring({ dataDir, masterKey: current.toString('base64'), oldMasterKeys: [old.toString('base64')], generate: false });
    expect(loaded.keyring.ids()).toEqual([masterKeyId(current), masterKeyId(old)]);
    await expect(loadKeyring({ dataDir, masterKey: current.toString('base64'), oldMasterKeys: ['nope'], generate: false })).rejects.toThrow(/SKLAD_OLD_MASTER_KEYS/);
  });
});
