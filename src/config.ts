// Server configuration: defaults < environment < command-line flags. The only module that reads the environment.
import path from 'node:path';

export interface Config {
  dataDir: string;
  host: string;
  port: number;
  region: string;
  /** Base domain for virtual-hosted-style requests (`bucket.DOMAIN`); path style always works. */
  domain?: string;
  logLevel: string;
  /** Root credentials given by the operator; generated and kept in the data folder when absent. */
  rootAccessKey?: string;
  rootSecretKey?: string;
  /** Milliseconds to let in-flight requests finish on shutdown. */
  shutdownGraceMs: number;
  /** A connection with no byte read or written for this long is closed (slow or stalled clients). */
  idleTimeoutMs: number;
  /** Longest wait for a request's complete header block. */
  headersTimeoutMs: number;
  /** Bearer token that unlocks GET /metrics. */
  metricsToken?: string;
  /** Serve GET /metrics without a token (for a scraper on a trusted network). */
  metricsPublic: boolean;
  /** Incomplete multipart uploads older than this many hours are aborted in the background; 0 disables. */
  uploadExpiryHours: number;
  /** Check whole-object reads against their recorded digests while streaming. */
  verifyReads: boolean;
  /** Hours between background integrity scrubs; 0 disables them. */
  scrubIntervalHours: number;
  /** Read rate of the background scrub, in MiB/s. */
  scrubRateMiB: number;
  /** Master key as base64 (SKLAD_MASTER_KEY); else `masterKeyFile`; else DATA/master.key. Never logged. */
  masterKey?: string;
  masterKeyFile?: string;
  /** Retired master keys (base64), kept to unwrap data keys they wrapped (SKLAD_OLD_MASTER_KEYS). */
  oldMasterKeys: string[];
  /** Encrypt every new object with SSE-S3 unless the request asks for SSE-C. */
  encryptAll: boolean;
  /** Accept SSE-C keys over plain HTTP (for a TLS-terminating proxy in front, or tests). */
  allowInsecureSseC: boolean;
}

export interface ServeFlags {
  data?: string;
  host?: string;
  port?: string;
  region?: string;
  domain?: string;
  'log-level'?: string;
  'upload-expiry-hours'?: string;
  'scrub-interval-hours'?: string;
  'scrub-rate-mib'?: string;
  'verify-reads'?: string;
  'metrics-public'?: string;
  'master-key-file'?: string;
  'encrypt-all'?: boolean;
  'allow-insecure-sse-c'?: boolean;
}

export class ConfigError extends Error {}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ConfigError(`invalid port: ${value}`);
  return port;
}

function parseNumber(value: string, what: string): number {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new ConfigError(`invalid ${what}: ${value}`);
  return Number(value);
}

function parseBoolean(value: string, what: string): boolean {
  if (/^(true|1|yes|on)$/i.test(value)) return true;
  if (/^(false|0|no|off)$/i.test(value)) return false;
  throw new ConfigError(`invalid ${what} (true or false): ${value}`);
}

export function loadConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): Config {
  const pick = (flag: keyof ServeFlags, name: string): string | undefined => {
    const given = flags[flag];
    return given === undefined ? env[name] || undefined : String(given);
  };
  const region = pick('region', 'SKLAD_REGION') ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,64}$/.test(region)) throw new ConfigError(`invalid region: ${region}`);
  const accessKey = env.SKLAD_ACCESS_KEY || undefined;
  const secretKey = env.SKLAD_SECRET_KEY || undefined;
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new ConfigError('SKLAD_ACCESS_KEY and SKLAD_SECRET_KEY must be given together');
  }
  if (accessKey !== undefined && !/^[A-Za-z0-9+/=_.-]{3,128}$/.test(accessKey)) {
    throw new ConfigError('SKLAD_ACCESS_KEY must be 3-128 characters of letters, digits and +/=_.-');
  }
  if (secretKey !== undefined && secretKey.length < 8) throw new ConfigError('SKLAD_SECRET_KEY must be at least 8 characters');
  const masterKey = env.SKLAD_MASTER_KEY || undefined;
  const masterKeyFile = pick('master-key-file', 'SKLAD_MASTER_KEY_FILE');
  if (masterKey !== undefined && masterKeyFile !== undefined) {
    throw new ConfigError('give the master key either as SKLAD_MASTER_KEY or as --master-key-file / SKLAD_MASTER_KEY_FILE, not both');
  }
  return {
    dataDir: path.resolve(pick('data', 'SKLAD_DATA') ?? 'data'),
    host: pick('host', 'SKLAD_HOST') ?? '0.0.0.0',
    port: parsePort(pick('port', 'SKLAD_PORT') ?? '9000'),
    region,
    domain: pick('domain', 'SKLAD_DOMAIN'),
    logLevel: pick('log-level', 'SKLAD_LOG_LEVEL') ?? 'info',
    rootAccessKey: accessKey,
    rootSecretKey: secretKey,
    shutdownGraceMs: parseNumber(env.SKLAD_SHUTDOWN_GRACE_MS ?? '30000', 'SKLAD_SHUTDOWN_GRACE_MS'),
    idleTimeoutMs: parseNumber(env.SKLAD_IDLE_TIMEOUT_MS ?? '60000', 'SKLAD_IDLE_TIMEOUT_MS'),
    metricsToken: env.SKLAD_METRICS_TOKEN || undefined,
    metricsPublic: parseBoolean(pick('metrics-public', 'SKLAD_METRICS_PUBLIC') ?? 'false', 'metrics-public'),
    headersTimeoutMs: parseNumber(env.SKLAD_HEADERS_TIMEOUT_MS ?? '30000', 'SKLAD_HEADERS_TIMEOUT_MS'),
    uploadExpiryHours: parseNumber(pick('upload-expiry-hours', 'SKLAD_UPLOAD_EXPIRY_HOURS') ?? '168', 'upload expiry (hours)'),
    verifyReads: parseBoolean(pick('verify-reads', 'SKLAD_VERIFY_READS') ?? 'true', 'verify-reads'),
    scrubIntervalHours: parseNumber(pick('scrub-interval-hours', 'SKLAD_SCRUB_INTERVAL_HOURS') ?? '168', 'scrub interval (hours)'),
    scrubRateMiB: parseNumber(pick('scrub-rate-mib', 'SKLAD_SCRUB_RATE_MIB') ?? '64', 'scrub rate (MiB/s)'),
    masterKey,
    masterKeyFile: masterKeyFile === undefined ? undefined : path.resolve(masterKeyFile),
    oldMasterKeys: (env.SKLAD_OLD_MASTER_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    encryptAll: parseBoolean(pick('encrypt-all', 'SKLAD_ENCRYPT_ALL') ?? 'false', 'encrypt-all'),
    allowInsecureSseC: parseBoolean(pick('allow-insecure-sse-c', 'SKLAD_ALLOW_INSECURE_SSE_C') ?? 'false', 'allow-insecure-sse-c'),
  };
}
