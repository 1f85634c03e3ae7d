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
  usage: Usage;
  quota: QuotaView | null;
}

export interface UserListView {
  users: UserSummaryView[];
}
export interface AccessKeyListView {
  accessKeys: AccessKeyView[];
}
export interface BucketListView {
  buckets: BucketView[];
}

export type { Quota, Usage };
