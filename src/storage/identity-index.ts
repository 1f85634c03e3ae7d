// The identity index: users, their access keys, their policies and quotas. Kept in the same database as
// the metadata index so that quota checks commit atomically with object writes.
// Secret keys are stored sealed (encrypted under the master key by the caller); this layer never sees plaintext.

export interface Quota {
  /** Largest total of object bytes; absent means unlimited. */
  maxBytes?: number;
  /** Largest number of objects; absent means unlimited. */
  maxObjects?: number;
}

export interface UserRecord {
  /** The user's name, also its id: `arn:aws:iam::sklad:user/<name>` in policies. */
  name: string;
  createdAt: Date;
  disabled: boolean;
  /** The identity policy attached to the user (AWS policy JSON, validated before it is stored). */
  policy?: string;
  quota?: Quota;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string;
  userName: string;
  status: AccessKeyStatus;
  createdAt: Date;
  /** The secret key, sealed under the master key (see src/identity/secret-seal.ts). */
  sealedSecret: string;
}

export interface UserPatch {
  disabled?: boolean;
  /** null removes the policy. */
  policy?: string | null;
  /** null removes the quota. */
  quota?: Quota | null;
}

export interface Usage {
  objects: number;
  bytes: number;
}

export interface IdentityIndex {
  /** Fails with `EntityAlreadyExists` (IdentityError) when the name is taken. */
  createUser(user: { name: string; createdAt: Date; policy?: string }): Promise<void>;
  getUser(name: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  /** false when there is no such user. */
  updateUser(name: string, patch: UserPatch): Promise<boolean>;
  /** Deletes the user and its keys. Fails with `DeleteConflict` while the user owns buckets; false when absent. */
  deleteUser(name: string): Promise<boolean>;

  /** Fails with `NoSuchEntity` when the user is absent, `EntityAlreadyExists` when the key id is taken. */
  createAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(userName: string): Promise<AccessKeyRecord[]>;
  /** false when there is no such key. */
  setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean>;
  /** false when there is no such key. */
  deleteAccessKey(accessKeyId: string): Promise<boolean>;
  /**
   * Master-key rotation: replaces the key's sealed secret by `to` only while it still is `from` (a key
   * deleted or re-sealed meanwhile is left alone); true when replaced.
   */
  replaceSealedSecret(accessKeyId: string, from: string, to: string): Promise<boolean>;

  /** Objects and bytes stored in the buckets a user owns. */
  userUsage(name: string): Promise<Usage>;
}

export type IdentityErrorCode = 'EntityAlreadyExists' | 'NoSuchEntity' | 'DeleteConflict';

export class IdentityError extends Error {
  constructor(readonly code: IdentityErrorCode, message: string) {
    super(message);
    this.name = 'IdentityError';
  }
}
