// Access-key secrets at rest: SigV4 needs the plaintext secret to recompute signatures, so secrets cannot be
// hashed; they are sealed with AES-256-GCM under a key derived from the master key instead, bound to the
// access key id (AAD) so a sealed secret cannot be moved to another key's row.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { Keyring } from '../crypto/keyring.js';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretSealer {
  seal(accessKeyId: string, secret: string): string;
  open(accessKeyId: string, sealed: string): string;
  /** The secret sealed anew under the current master key; undefined when it already is. */
  reseal(accessKeyId: string, sealed: string): string | undefined;
}

/** The id of the master key a sealed secret is sealed under (`v1:<id>:…`). */
export function sealedUnder(sealed: string): string {
  return sealed.split(':')[1] ?? '';
}

function sealingKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'sklad access key secrets v1', 32));
}

/** Seals with the current master key; opens with whichever master key (current or retired) sealed it. */
export function keyringSealer(keyring: Keyring): SecretSealer {
  const derived = new Map<string, Buffer>();
  const keyFor = (id: string): Buffer => {
    let key = derived.get(id);
    if (key === undefined) {
      key = sealingKey(keyring.masterKeyById(id));
      derived.set(id, key);
    }
    return key;
  };
  const sealer: SecretSealer = {
    seal(accessKeyId, secret) {
      const id = keyring.currentId;
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keyFor(id), nonce);
      cipher.setAAD(Buffer.from(accessKeyId));
      const body = Buffer.concat([nonce, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `v1:${id}:${body.toString('base64')}`;
    },
    reseal(accessKeyId, sealed) {
      return sealedUnder(sealed) === keyring.currentId ? undefined : sealer.seal(accessKeyId, sealer.open(accessKeyId, sealed));
    },
    open(accessKeyId, sealed) {
      const [version, id, data] = sealed.split(':');
      if (version !== 'v1' || id === undefined || data === undefined) throw new Error(`the sealed secret of ${accessKeyId} is damaged`);
      const body = Buffer.from(data, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', keyFor(id), body.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(accessKeyId));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      try {
        return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        throw new Error(`the sealed secret of ${accessKeyId} does not open under master key ${id}: the record is damaged`);
      }
    },
  };
  return sealer;
}
