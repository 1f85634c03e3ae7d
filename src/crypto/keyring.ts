// Master keys and data-key wrapping (envelope encryption). Each SSE-S3 object has its own random data
// key, stored only wrapped: AES-256-GCM under a master key, with the master key's id as AAD. The id
// (first 8 bytes of SHA-256 of the key, hex) is kept beside every wrapped key, so a keyring holding the
// current key and retired ones can unwrap what older keys wrapped while new objects use the current one.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DATA_KEY_BYTES } from './blob-format.js';

export const MASTER_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface MasterKey {
  id: string;
  key: Buffer;
}

export interface WrappedKey {
  keyId: string;
  /** base64 of nonce ‖ ciphertext ‖ tag */
  wrappedKey: string;
}

/** A wrapped key names a master key this server was not given. */
export class MasterKeyUnavailableError extends Error {
  constructor(readonly keyId: string) {
    super(`the data key is wrapped under master key ${keyId}, which this server does not hold (see SKLAD_OLD_MASTER_KEYS)`);
    this.name = 'MasterKeyUnavailableError';
  }
}

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest().subarray(0, 8).toString('hex');
}

export function masterKey(key: Buffer): MasterKey {
  if (key.length !== MASTER_KEY_BYTES) throw new Error(`a master key is ${MASTER_KEY_BYTES} bytes, not ${key.length}`);
  return { id: masterKeyId(key), key };
}

function aad(keyId: string): Buffer {
  return Buffer.from(`sklad data key v1 ${keyId}`);
}

export class Keyring {
  readonly #current: MasterKey;
  readonly #byId = new Map<string, Buffer>();

  constructor(current: MasterKey, retired: MasterKey[] = []) {
    this.#current = current;
    for (const k of [current, ...retired]) this.#byId.set(k.id, k.key);
  }

  get currentId(): string {
    return this.#current.id;
  }

  /** Ids of every key this ring can unwrap with, current first. */
  ids(): string[] {
    return [...this.#byId.keys()];
  }

  /** The raw master key with this id (current or retired), for keys derived from it. */
  masterKeyById(id: string): Buffer {
    const key = this.#byId.get(id);
    if (key === undefined) throw new MasterKeyUnavailableError(id);
    return key;
  }

  /** A fresh random data key. */
  static newDataKey(): Buffer {
    return randomBytes(DATA_KEY_BYTES);
  }

  wrap(dataKey: Buffer): WrappedKey {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.key, nonce);
    cipher.setAAD(aad(this.#current.id));
    const sealed = Buffer.concat([nonce, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
    return { keyId: this.#current.id, wrappedKey: sealed.toString('base64') };
  }

  /** The same data key wrapped under the current master key; undefined when it already is. */
  rewrap(wrapped: WrappedKey): WrappedKey | undefined {
    return wrapped.keyId === this.#current.id ? undefined : this.wrap(this.unwrap(wrapped));
  }

  unwrap(wrapped: WrappedKey): Buffer {
    const key = this.#byId.get(wrapped.keyId);
    if (key === undefined) throw new MasterKeyUnavailableError(wrapped.keyId);
    const sealed = Buffer.from(wrapped.wrappedKey, 'base64');
    if (sealed.length !== NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES) throw new Error('a wrapped data key has the wrong length');
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
    decipher.setAAD(aad(wrapped.keyId));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw new Error(`a wrapped data key does not unwrap under master key ${wrapped.keyId}: the record is damaged`);
    }
  }
}
