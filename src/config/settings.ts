// The table of server settings: the one place that names each setting's config-file key, flag, environment
// variable and validation, so the file reader, `--print-config` and start-up errors all agree.
import type { Config } from './config.js';

export type SettingType = 'string' | 'path' | 'integer' | 'number' | 'boolean' | 'list';
export type SettingSource = 'flag' | 'env' | 'file' | 'default';

export interface Setting {
  /** Key in the config file; also the flag name when `flag` is true. */
  key: string;
  field: keyof Config;
  env: string;
  /** False for secrets and keys that would leak through `ps` if given on the command line. */
  flag: boolean;
  type: SettingType;
  /** Masked by `--print-config`; a config file holding one should not be readable by others. */
  secret?: boolean;
  min?: number;
  max?: number;
  oneOf?: readonly string[];
  /** The effective value in the unit of the key, when the Config field keeps it in another unit. */
  display?: (config: Config) => unknown;
}

/** Node's timers and socket timeouts take at most a signed 32-bit millisecond count. */
const MAX_MS = 2_147_483_647;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export const SETTINGS: readonly Setting[] = [
  { key: 'data', field: 'dataDir', env: 'SKLAD_DATA', flag: true, type: 'path' },
  { key: 'host', field: 'host', env: 'SKLAD_HOST', flag: true, type: 'string' },
  { key: 'port', field: 'port', env: 'SKLAD_PORT', flag: true, type: 'integer', min: 0, max: 65535 },
  { key: 'region', field: 'region', env: 'SKLAD_REGION', flag: true, type: 'string' },
  { key: 'domain', field: 'domain', env: 'SKLAD_DOMAIN', flag: true, type: 'string' },
  { key: 'website-port', field: 'websitePort', env: 'SKLAD_WEBSITE_PORT', flag: true, type: 'integer', min: 0, max: 65535 },
  { key: 'website-domain', field: 'websiteDomain', env: 'SKLAD_WEBSITE_DOMAIN', flag: true, type: 'string' },
  { key: 'log-level', field: 'logLevel', env: 'SKLAD_LOG_LEVEL', flag: true, type: 'string', oneOf: LOG_LEVELS },
  { key: 'log-format', field: 'logFormat', env: 'SKLAD_LOG_FORMAT', flag: true, type: 'string', oneOf: LOG_FORMATS },
  { key: 'access-key', field: 'rootAccessKey', env: 'SKLAD_ACCESS_KEY', flag: false, type: 'string' },
  { key: 'secret-key', field: 'rootSecretKey', env: 'SKLAD_SECRET_KEY', flag: false, type: 'string', secret: true },
  { key: 'tls-cert', field: 'tlsCertFile', env: 'SKLAD_TLS_CERT', flag: true, type: 'path' },
  { key: 'tls-key', field: 'tlsKeyFile', env: 'SKLAD_TLS_KEY', flag: true, type: 'path' },
  { key: 'headers-timeout-ms', field: 'headersTimeoutMs', env: 'SKLAD_HEADERS_TIMEOUT_MS', flag: true, type: 'integer', min: 1, max: MAX_MS },
  { key: 'idle-timeout-ms', field: 'idleTimeoutMs', env: 'SKLAD_IDLE_TIMEOUT_MS', flag: true, type: 'integer', min: 0, max: MAX_MS },
  { key: 'request-timeout-ms', field: 'requestTimeoutMs', env: 'SKLAD_REQUEST_TIMEOUT_MS', flag: true, type: 'integer', min: 0, max: MAX_MS },
  { key: 'keep-alive-timeout-ms', field: 'keepAliveTimeoutMs', env: 'SKLAD_KEEP_ALIVE_TIMEOUT_MS', flag: true, type: 'integer', min: 0, max: MAX_MS },
  { key: 'shutdown-grace-ms', field: 'shutdownGraceMs', env: 'SKLAD_SHUTDOWN_GRACE_MS', flag: true, type: 'integer', min: 0, max: MAX_MS },
  { key: 'presign-max-seconds', field: 'maxPresignSeconds', env: 'SKLAD_PRESIGN_MAX_SECONDS', flag: true, type: 'integer', min: 1, max: 604_800 },
  { key: 'metrics-token', field: 'metricsToken', env: 'SKLAD_METRICS_TOKEN', flag: false, type: 'string', secret: true },
  { key: 'metrics-public', field: 'metricsPublic', env: 'SKLAD_METRICS_PUBLIC', flag: true, type: 'boolean' },
  { key: 'upload-expiry-hours', field: 'uploadExpiryHours', env: 'SKLAD_UPLOAD_EXPIRY_HOURS', flag: true, type: 'number', min: 0 },
  { key: 'max-open-uploads-per-bucket', field: 'maxOpenUploadsPerBucket', env: 'SKLAD_MAX_OPEN_UPLOADS_PER_BUCKET', flag: true, type: 'integer', min: 0 },
  { key: 'verify-reads', field: 'verifyReads', env: 'SKLAD_VERIFY_READS', flag: true, type: 'boolean' },
  { key: 'scrub-interval-hours', field: 'scrubIntervalHours', env: 'SKLAD_SCRUB_INTERVAL_HOURS', flag: true, type: 'number', min: 0 },
  { key: 'scrub-rate-mib', field: 'scrubRateMiB', env: 'SKLAD_SCRUB_RATE_MIB', flag: true, type: 'number', min: 0 },
  { key: 'lifecycle-day-seconds', field: 'lifecycleDaySeconds', env: 'SKLAD_LIFECYCLE_DAY_SECONDS', flag: true, type: 'integer', min: 1, max: 86_400 },
  { key: 'encrypt-all', field: 'encryptAll', env: 'SKLAD_ENCRYPT_ALL', flag: true, type: 'boolean' },
  { key: 'master-key-file', field: 'masterKeyFile', env: 'SKLAD_MASTER_KEY_FILE', flag: true, type: 'path' },
  { key: 'master-key', field: 'masterKey', env: 'SKLAD_MASTER_KEY', flag: false, type: 'string', secret: true },
  { key: 'old-master-keys', field: 'oldMasterKeys', env: 'SKLAD_OLD_MASTER_KEYS', flag: false, type: 'list', secret: true },
  { key: 'allow-insecure-sse-c', field: 'allowInsecureSseC', env: 'SKLAD_ALLOW_INSECURE_SSE_C', flag: true, type: 'boolean' },
  { key: 'console', field: 'console', env: 'SKLAD_CONSOLE', flag: true, type: 'boolean' },
  { key: 'audit', field: 'audit', env: 'SKLAD_AUDIT', flag: true, type: 'boolean' },
  { key: 'audit-dir', field: 'auditDir', env: 'SKLAD_AUDIT_DIR', flag: true, type: 'path' },
  { key: 'audit-max-file-mib', field: 'auditMaxFileBytes', env: 'SKLAD_AUDIT_MAX_FILE_MIB', flag: true, type: 'number', min: 0, display: (c) => c.auditMaxFileBytes / (1024 * 1024) },
  // A URL may carry a password: masked when printed; PGPASSWORD or ~/.pgpass keep it off the command line.
  { key: 'metadata-url', field: 'metadataUrl', env: 'SKLAD_METADATA_URL', flag: true, type: 'string', secret: true },
  { key: 'gateway-id', field: 'gatewayId', env: 'SKLAD_GATEWAY_ID', flag: true, type: 'string' },
  { key: 'metadata-pool-size', field: 'metadataPoolSize', env: 'SKLAD_METADATA_POOL_SIZE', flag: true, type: 'integer', min: 1 },
  { key: 'audit-sync-ms', field: 'auditSyncMs', env: 'SKLAD_AUDIT_SYNC_MS', flag: false, type: 'integer', min: 0, max: MAX_MS },
];

export function settingFor(key: string): Setting | undefined {
  return SETTINGS.find((s) => s.key === key);
}

/** Why `raw` (as a string, from any source) is not a valid value for `s`, or undefined when it is. */
export function invalidValue(s: Setting, raw: string): string | undefined {
  switch (s.type) {
    case 'integer':
    case 'number': {
      const ok = s.type === 'integer' ? /^\d+$/.test(raw) : /^\d+(\.\d+)?$/.test(raw);
      if (!ok) return `must be a ${s.type === 'integer' ? 'whole number' : 'number'} >= 0, got ${JSON.stringify(raw)}`;
      const n = Number(raw);
      if (s.min !== undefined && n < s.min) return `must be at least ${s.min}, got ${raw}`;
      if (s.max !== undefined && n > s.max) return `must be at most ${s.max}, got ${raw}`;
      return undefined;
    }
    case 'boolean':
      return /^(true|false|1|0|yes|no|on|off)$/i.test(raw) ? undefined : `must be true or false, got ${JSON.stringify(raw)}`;
    default:
      if (s.oneOf && !s.oneOf.includes(raw)) return `must be one of ${s.oneOf.join(', ')}, got ${JSON.stringify(raw)}`;
      return undefined;
  }
}

/** Levenshtein distance, for "did you mean" suggestions on unknown keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The known key closest to `key` (camelCase and snake_case spellings included), when it is close enough. */
export function closestKey(key: string): string | undefined {
  const normalized = key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/_/g, '-').toLowerCase();
  let best: { key: string; d: number } | undefined;
  for (const s of SETTINGS) {
    const d = distance(normalized, s.key);
    if (best === undefined || d < best.d) best = { key: s.key, d };
  }
  return best !== undefined && best.d <= Math.max(2, Math.floor(best.key.length / 3)) ? best.key : undefined;
}
