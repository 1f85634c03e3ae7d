// The server configuration's shape, the flags `sklad serve` takes and the error a bad value raises.
// load-config.ts fills it in; everything else only reads it.
import type { SettingSource } from './settings.js';

/** The region buckets are created in when the operator names none. */
export const DEFAULT_REGION = 'us-east-1';

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  /**
   * The region the operator named. Undefined: none was named, so requests signed for any region are served
   * (clients derive one from the endpoint's name, or are configured with their own) and buckets default to
   * DEFAULT_REGION; named, signatures for any other region are refused, as S3's regional endpoints do.
   */
  region?: string;
  /** Base domain for virtual-hosted-style requests (`bucket.DOMAIN`); path style always works. */
  domain?: string;
  /** Port of the static website endpoint (path form /BUCKET/KEY, and BUCKET.websiteDomain); absent: none, 0: any free port. */
  websitePort?: number;
  /** Base domain of the website endpoint: `bucket.WEBSITE_DOMAIN` on either port is answered as a website. */
  websiteDomain?: string;
  logLevel: string;
  /** `auto`: lines for a person when stdout is a terminal, JSON otherwise; or always `json` / `pretty`. */
  logFormat: 'auto' | 'json' | 'pretty';
  /** Root credentials given by the operator; generated and kept in the data folder when absent. */
  rootAccessKey?: string;
  rootSecretKey?: string;
  /** Milliseconds to let in-flight requests finish on shutdown. */
  shutdownGraceMs: number;
  /** A connection with no byte read or written for this long is closed (slow or stalled clients). */
  idleTimeoutMs: number;
  /** Longest wait for a request's complete header block. */
  headersTimeoutMs: number;
  /** Longest time for a whole request; 0 = none, since a large upload may take hours. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection waits for its next request. */
  keepAliveTimeoutMs: number;
  /** PEM certificate chain and private key files; both set means the server speaks HTTPS. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Longest lifetime of a presigned URL (SigV4 X-Amz-Expires; SigV2 Expires counted from now), in seconds. */
  maxPresignSeconds: number;
  /** Bearer token that unlocks GET /metrics. */
  metricsToken?: string;
  /** Serve GET /metrics without a token (for a scraper on a trusted network). */
  metricsPublic: boolean;
  /** Incomplete multipart uploads older than this many hours are aborted in the background; 0 disables. */
  uploadExpiryHours: number;
  /** CreateMultipartUpload is refused while a bucket has this many open uploads; 0 = no limit. */
  maxOpenUploadsPerBucket: number;
  /** Check whole-object reads against their recorded digests while streaming. */
  verifyReads: boolean;
  /** Hours between background integrity scrubs; 0 disables them. */
  scrubIntervalHours: number;
  /** Read rate of the background scrub, in MiB/s. */
  scrubRateMiB: number;
  /**
   * Seconds in a lifecycle "day" (86400): rule days and ages count in these units, and the lifecycle worker runs
   * at least ten times per such day. Shortened only for testing rules.
   */
  lifecycleDaySeconds: number;
  /** Master key as base64 (SKLAD_MASTER_KEY); else `masterKeyFile`; else DATA/master.key. Never logged. */
  masterKey?: string;
  masterKeyFile?: string;
  /** Retired master keys (base64), kept to unwrap data keys they wrapped (SKLAD_OLD_MASTER_KEYS). */
  oldMasterKeys: string[];
  /** Encrypt every new object with SSE-S3 unless the request asks for SSE-C. */
  encryptAll: boolean;
  /** Accept SSE-C keys over plain HTTP (for a TLS-terminating proxy in front, or tests). */
  allowInsecureSseC: boolean;
  /** Keep the hash-chained audit log of writes, deletes and denied requests (`--audit off` disables it). */
  /** Serve the web console at /_sklad/console/ (`--console off` disables it). */
  console: boolean;
  audit: boolean;
  /** Folder of the audit files; DATA/audit by default. */
  auditDir: string;
  /** The current audit file is rotated past this size. */
  auditMaxFileBytes: number;
  /** Longest time an audit record waits for fdatasync. */
  auditSyncMs: number;
  /**
   * postgres://… URL of a shared PostgreSQL metadata database: any number of gateways then serve the same
   * buckets over a shared data folder. Absent: SQLite in the data folder, one server.
   */
  metadataUrl?: string;
  /**
   * Connections this gateway opens to the metadata database at most: as many requests as this reach it at
   * once (each write is a transaction on a connection of its own).
   */
  metadataPoolSize: number;
  /** This gateway's name among those sharing a data folder: its temporary files, lock and audit chain. */
  gatewayId: string;
}

export interface ServeFlags {
  data?: string;
  host?: string;
  port?: string;
  region?: string;
  domain?: string;
  'website-port'?: string;
  'website-domain'?: string;
  'log-level'?: string;
  'log-format'?: string;
  console?: string;
  'upload-expiry-hours'?: string;
  'max-open-uploads-per-bucket'?: string;
  'scrub-interval-hours'?: string;
  'scrub-rate-mib'?: string;
  'lifecycle-day-seconds'?: string;
  'verify-reads'?: string;
  'metrics-public'?: string;
  'master-key-file'?: string;
  'encrypt-all'?: boolean;
  'allow-insecure-sse-c'?: boolean;
  config?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'headers-timeout-ms'?: string;
  'idle-timeout-ms'?: string;
  'request-timeout-ms'?: string;
  'keep-alive-timeout-ms'?: string;
  'shutdown-grace-ms'?: string;
  'presign-max-seconds'?: string;
  audit?: string;
  'audit-dir'?: string;
  'audit-max-file-mib'?: string;
}

/** Where each setting's value came from, and the config file read, for `--print-config` and start-up warnings. */
export interface ConfigReport {
  sources: Record<string, SettingSource>;
  file?: string;
  warnings: string[];
}

export class ConfigError extends Error {}

