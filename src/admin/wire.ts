// The JSON documents of the admin API on the wire. Type-only and free of Node types: the CLI client and the web
// console's front end import them too, so every end agrees at compile time.
import type { AccessKeyStatus, Quota, Usage } from '../storage/identity-index.js';
export type AdminErrorCode =
  | 'InvalidInput'
  | 'MalformedPolicy'
  | 'AccessDenied'
  | 'NoSuchEntity'
  | 'NoSuchBucket'
  | 'EntityAlreadyExists'
  | 'DeleteConflict'
  | 'NotFound'
  | 'MethodNotAllowed'
  | 'EntityTooLarge'
  | 'InternalError'
  // Authentication failures keep the S3 code the signature check produced (SignatureDoesNotMatch, …).
  | (string & {});

export interface ErrorDocument {
  error: { code: AdminErrorCode; message: string };
  requestId: string;
}

export interface QuotaView {
  maxBytes?: number;
  maxObjects?: number;
}

export interface InfoView {
  version: string;
  uptimeSeconds: number;
  region: string;
  buckets: number;
  objects: number;
  bytes: number;
  users: number;
}

export interface UserSummaryView {
  name: string;
  createdAt: string;
  disabled: boolean;
  hasPolicy: boolean;
  quota: QuotaView | null;
  usage: Usage;
  accessKeys: number;
}

export interface AccessKeyView {
  accessKeyId: string;
  userName: string;
  status: AccessKeyStatus;
  createdAt: string;
}

export interface UserView {
  name: string;
  createdAt: string;
  disabled: boolean;
  /** The identity policy as a JSON document, null when none is attached. */
  policy: unknown;
  quota: QuotaView | null;
  usage: Usage;
  accessKeys: AccessKeyView[];
}

/** The one document that carries a secret: the answer to creating or rotating a key. */
export interface NewAccessKeyView extends AccessKeyView {
  secretKey: string;
  /** Set by rotate: the key this one replaces, now Inactive. */
  replaces?: string;
}

export interface BucketView {
  name: string;
  owner: string;
  createdAt: string;
  /** Every stored version counts, noncurrent ones included (delete markers store nothing). */
  usage: Usage;
  quota: QuotaView | null;
  versioning: 'Unversioned' | 'Enabled' | 'Suspended';
  /** Object Lock: null when off; the default retention new versions get, when one is set. */
  objectLock: { defaultRetention: { mode: string; days?: number; years?: number } | null } | null;
}

/** One version (or delete marker) of a key, newest first in a KeyVersionsView. */
export interface VersionView {
  versionId: string;
  isLatest: boolean;
  deleteMarker: boolean;
  lastModified: string;
  size: number;
  etag: string;
  retention: { mode: string; retainUntil: string } | null;
  legalHold: boolean;
}

export interface KeyVersionsView {
  bucket: string;
  key: string;
  versions: VersionView[];
}

/** What a restore did: the older version's bytes are current again as a new version. */
export interface RestoreView {
  bucket: string;
  key: string;
  restoredFrom: string;
  versionId: string;
}

/** Every list answer: one page, and where the next starts (`?marker=` + nextMarker) when there is more. */
export interface ListPageView {
  isTruncated: boolean;
  nextMarker?: string;
}
export interface UserListView extends ListPageView {
  users: UserSummaryView[];
}
export interface AccessKeyListView extends ListPageView {
  accessKeys: AccessKeyView[];
}
export interface BucketListView extends ListPageView {
  buckets: BucketView[];
}

/** What a bucket's lifecycle rules (or one of them) would delete from now to the end of the current day. */
export interface LifecyclePreviewView {
  bucket: string;
  rules: { id: string; enabled: boolean }[];
  until: string;
  /** action: expire (a current version), expire-noncurrent, remove-delete-marker; size: bytes freed. */
  objects: { key: string; versionId: string; action: 'expire' | 'expire-noncurrent' | 'remove-delete-marker'; size: number; rule: string; due: string }[];
  uploads: { key: string; uploadId: string; initiated: string; rule: string; due: string }[];
  totals: { objects: number; bytes: number; uploads: number };
  /** More were due than are listed (the totals count all). */
  truncated: boolean;
}

/** What each master key protects, and which keys may be retired. */
export interface MasterKeyView {
  currentKeyId: string;
  /** Every key the server holds (current first): SKLAD_MASTER_KEY or the key file, then SKLAD_OLD_MASTER_KEYS. */
  heldKeyIds: string[];
  /** Object versions and open uploads per master key id their SSE-S3 data key is wrapped under. */
  dataKeys: Record<string, number>;
  /** Access keys per master key id their secret is sealed under. */
  accessKeySecrets: Record<string, number>;
  /** Held keys other than the current one that protect nothing: they may be removed from SKLAD_OLD_MASTER_KEYS. */
  retirable: string[];
  /** Keys that protect something but are not held: that data cannot be read until they are configured. */
  missing: string[];
}

/** One step of POST /master-key/rewrap. */
export interface RewrapView {
  scanned: number;
  rewrapped: number;
  /** Records under a master key the server does not hold, left as they are. */
  unavailable: number;
  done: boolean;
  /** Where the next step starts; absent when done. */
  cursor?: string;
  /** On the last step: access-key secrets sealed anew, and the state of every master key afterwards. */
  secretsResealed?: number;
  masterKey?: MasterKeyView;
}

export type { Quota, Usage };
