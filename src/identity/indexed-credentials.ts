// The credential store of a running server: the root key from the configuration, and users' access keys
// from the identity index. Opened secrets are cached until an admin change invalidates them, so signature
// checks do not decrypt on every request.
import type { Credential, CredentialStore } from '../auth/credentials.js';
import type { IdentityIndex } from '../storage/identity-index.js';
import type { SecretSealer } from './secret-seal.js';

export class IndexedCredentials implements CredentialStore {
  readonly #cache = new Map<string, Credential | null>();

  constructor(
    private readonly root: Credential,
    private readonly identity: IdentityIndex,
    private readonly sealer: SecretSealer,
  ) {}

  async lookup(accessKeyId: string): Promise<Credential | undefined> {
    if (accessKeyId === this.root.principal.accessKeyId) return this.root;
    const cached = this.#cache.get(accessKeyId);
    if (cached !== undefined) return cached ?? undefined;
    const found = await this.load(accessKeyId);
    // Unknown ids are cached too (bounded), so a client retrying a bad key does not reach the database each time.
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(accessKeyId, found ?? null);
    return found;
  }

  /** Forgets every cached key: called after any change to users or keys. */
  invalidate(): void {
    this.#cache.clear();
  }

  private async load(accessKeyId: string): Promise<Credential | undefined> {
    const key = await this.identity.getAccessKey(accessKeyId);
    // An inactive key, or any key of a disabled user, is answered like an unknown key (InvalidAccessKeyId), as AWS does.
    if (key === undefined || key.status !== 'Active') return undefined;
    const user = await this.identity.getUser(key.userName);
    if (user === undefined || user.disabled) return undefined;
    return {
      secretKey: this.sealer.open(accessKeyId, key.sealedSecret),
      principal: { accessKeyId, userId: user.name, isRoot: false },
    };
  }
}
