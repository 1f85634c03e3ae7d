// Who may sign requests: the credential store interface and a fixed, in-memory implementation built from config.

export interface Principal {
  accessKeyId: string;
  /** The user's name ('root' for the root user, 'anonymous' for unsigned requests). */
  userId: string;
  isRoot: boolean;
  /** An unsigned request: only what bucket policies and ACLs grant to everyone is allowed. */
  anonymous?: boolean;
}

/** The root principal's user id: owner of the buckets root creates; never a valid user name. */
export const ROOT_USER_ID = 'root';

export const ANONYMOUS: Principal = Object.freeze({ accessKeyId: '', userId: 'anonymous', isRoot: false, anonymous: true });

export interface Credential {
  secretKey: string;
  principal: Principal;
}

export interface CredentialStore {
  lookup(accessKeyId: string): Promise<Credential | undefined>;
}

export interface StaticCredentialEntry {
  accessKeyId: string;
  secretKey: string;
  userId: string;
  isRoot: boolean;
}

export class StaticCredentials implements CredentialStore {
  readonly #byKey = new Map<string, Credential>();

  constructor(entries: StaticCredentialEntry[]) {
    for (const { accessKeyId, secretKey, userId, isRoot } of entries) {
      if (this.#byKey.has(accessKeyId)) throw new Error(`duplicate access key id ${accessKeyId}`);
      this.#byKey.set(accessKeyId, { secretKey, principal: { accessKeyId, userId, isRoot } });
    }
  }

  async lookup(accessKeyId: string): Promise<Credential | undefined> {
    return this.#byKey.get(accessKeyId);
  }
}
