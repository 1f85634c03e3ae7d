// Shapes of the admin API: what the composition root passes in, and the JSON documents on the wire.
// The CLI client imports the wire types too, so both ends agree on them at compile time.
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { CredentialStore, Principal } from '../auth/credentials.js';
import type { Keyring } from '../crypto/keyring.js';
import type { SecretSealer } from '../identity/secret-seal.js';
import type { S3Response } from '../s3/respond.js';
import type { IdentityIndex } from '../storage/identity-index.js';
import type { MetadataIndex } from '../storage/metadata-index.js';
import type { AuditLog } from '../audit/types.js';
import type { BackupReport } from '../data-folder/backup.js';

/** Every admin path starts with this. `_sklad` is not a valid bucket name, so no S3 path collides. */
export const ADMIN_PREFIX = '/_sklad/admin/v1';

/** Bucket owner id of the root principal; `root` is not a valid user name. */
export { ROOT_USER_ID as ROOT_OWNER } from '../auth/credentials.js';

/** The part of the audit log the admin API uses: it reports every change, and every refused attempt at one. */
export type AdminAuditSink = Pick<AuditLog, 'record'>;

export interface AdminDeps {
  identity: IdentityIndex;
  index: MetadataIndex;
  /** Seals new secrets under the master key before they are stored. */
  sealer: SecretSealer;
  /** The master keys: the current one wraps, retired ones only unwrap (master-key re-wrap). */
  keyring: Keyring;
  /** The same credential store the S3 front end authenticates against. */
  credentials: CredentialStore;
  /**
   * Called after every change made through the API: credential and user-policy caches (IndexedCredentials,
   * AccessControl) must forget what they hold, or a disabled key would keep working until they expire.
   */
  onCredentialsChanged?(): void;
  /**
   * Whether a non-root principal may perform `action` (e.g. `admin:CreateUser`) on `resource`.
   * Root is always allowed and never asked about. Absent: only root may administer.
   */
  allowAdmin?(principal: Principal, action: string, resource: string): Promise<boolean>;
  audit?: AdminAuditSink;
  /** Deletes blobs the index no longer references (after a restore replaced a null version); absent: left to recovery. */
  deleteBlobs?(ids: string[]): Promise<void>;
  /** Online backup into a folder on the server; absent: POST /backup answers 501. */
  backup?(destination: string): Promise<BackupReport>;
  /**
   * `signingRegion`: the region admin signatures must name; undefined when the operator named none (any is accepted).
   * `lifecycleDayMs`: how long a lifecycle day is (`--lifecycle-day-seconds`), for the lifecycle dry run.
   */
  settings: { region: string; signingRegion: string | undefined; domain?: string; lifecycleDayMs: number };
  version: string;
  startedAt: Date;
  log: Logger;
}

/**
 * What app.ts calls before S3 dispatch: a response for admin paths, undefined for everything else.
 * `info` (app.ts's RequestInfo) receives the authenticated principal, so the request log names who called.
 */
export type AdminEndpoint = (
  incoming: IncomingMessage,
  requestId: string,
  info?: { principal?: Principal },
  /** Set only by the web console, in process: its session's principal, so no signature is checked. */
  preauthenticated?: Principal,
) => Promise<S3Response | undefined>;

export type * from './wire.js';
