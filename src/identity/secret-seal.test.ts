import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Keyring, MasterKeyUnavailableError, masterKey } from '../crypto/keyring.js';
import { keyringSealer, sealedUnder } from './secret-seal.js';

describe('keyringSealer', () => {
  it('re-seals a secret sealed under a retired master key under the current one, bound to its key id', () => {
    const oldKey = masterKey(randomBytes(32));
    const newKey = masterKey(randomBytes(32));
    const sealedOld = keyringSealer(new Keyring(oldKey)).seal('AKID1', 'the secret');
    expect(sealedUnder(sealedOld)).toBe(oldKey.id);
    const sealer = keyringSealer(new Keyring(newKey, [oldKey]));
    const resealed = sealer.reseal('AKID1', sealedOld)!;
    expect(sealedUnder(resealed)).toBe(newKey.id);
    expect(keyringSealer(new Keyring(newKey)).open('AKID1', resealed)).toBe('the secret');
    expect(sealer.reseal('AKID1', resealed)).toBeUndefined();
    // Bound to the access key id: it does not open as another key's secret.
    expect(() => sealer.open('AKID2', resealed)).toThrow(/damaged/);
    expect(() => keyringSealer(new Keyring(newKey)).reseal('AKID1', sealedOld)).toThrow(MasterKeyUnavailableError);
  });
});
