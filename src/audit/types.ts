// The audit log's public shapes. The S3 front end records requests; the admin API records its changes
// through the same interface, so an event names a generic action, target and details.

/** Any value that survives JSON unchanged, so a record hashes the same before and after a round trip. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Who acted: a signed-in identity, an unauthenticated caller, or the audit log itself (chain notes). */
export type AuditPrincipal = { user: string; accessKeyId: string } | 'anonymous' | 'system';

export interface AuditEvent {
  /** S3 operation name (`PutObject`), an admin action (`admin:CreateUser`), or an audit note (`chain-resume`). */
  action: string;
  principal: AuditPrincipal;
  result: 'success' | 'failure';
  requestId?: string;
  sourceIp?: string;
  userAgent?: string;
  bucket?: string;
  key?: string;
  /** What an admin action changed (a user name, an access key id, a setting); S3 requests use bucket/key. */
  target?: string;
  /** HTTP status sent to the client. */
  status?: number;
  /** S3 or admin error code when the action failed. */
  errorCode?: string;
  /** Anything else worth keeping. Never secrets. */
  details?: { [key: string]: JsonValue };
}

/** One line of the audit file: the event, its place in the chain and the chain hash. */
export interface AuditRecord extends AuditEvent {
  seq: number;
  /** ISO 8601, when the event was recorded. */
  time: string;
  /** Hash of the previous record (64 zeros for the first record ever). */
  prev: string;
  /** sha256(prev + canonical JSON of this record without `hash`), hex. */
  hash: string;
}

export interface AuditLog {
  /** Queues an event; never throws and never waits for the disk (see file-audit-log.ts for durability). */
  record(event: AuditEvent): void;
  /** Writes and syncs everything queued, then closes the file. */
  close(): Promise<void>;
}

/** The audit log when auditing is switched off. */
export const disabledAuditLog: AuditLog = {
  record: () => {},
  close: async () => {},
};
