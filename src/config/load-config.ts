// Loads the server configuration: defaults < config file < environment < command-line flags. The only module
// that reads the environment.
import { hostname } from 'node:os';
import path from 'node:path';
import { readConfigFile, type ConfigFile } from './config-file.js';
import { invalidValue, settingFor, type SettingSource } from './settings.js';
import { ConfigError, type Config, type ConfigReport, type ServeFlags } from './config.js';

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

const GATEWAY_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The host name and port: unique among gateways on distinct hosts, or on distinct ports of one host. */
function defaultGatewayId(port: number): string {
  const host = hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 50) || 'gateway';
  return `${host}-${port}`;
}

function optionalPort(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parsePort(value);
}

export function loadConfig(flags: ServeFlags, env: NodeJS.ProcessEnv, report: ConfigReport = { sources: {}, warnings: [] }): Config {
  const configPath = flags.config ?? (env.SKLAD_CONFIG || undefined);
  const file: ConfigFile | undefined = configPath === undefined ? undefined : readConfigFile(configPath);
  report.file = file?.path;
  report.warnings.push(...(file?.warnings ?? []));
  /** A setting's raw value: flag, else environment, else config file; validated and its source recorded. */
  const pick = (key: string, name: string): string | undefined => {
    const given = (flags as Record<string, string | boolean | undefined>)[key];
    const [value, source, where]: [string | undefined, SettingSource, string] =
      given !== undefined ? [String(given), 'flag', `--${key}`]
      : env[name] ? [env[name], 'env', name]
      : file?.values.has(key) ? [file.values.get(key), 'file', `${file.path}: ${key}`]
      : [undefined, 'default', key];
    report.sources[key] = source;
    const setting = settingFor(key);
    const why = value === undefined || setting === undefined ? undefined : invalidValue(setting, value);
    if (why !== undefined) throw new ConfigError(`${where} ${why}`);
    return value;
  };
  const region = pick('region', 'SKLAD_REGION');
  if (region !== undefined && !/^[a-z0-9-]{1,64}$/.test(region)) throw new ConfigError(`invalid region: ${region}`);
  const accessKey = pick('access-key', 'SKLAD_ACCESS_KEY');
  const secretKey = pick('secret-key', 'SKLAD_SECRET_KEY');
  if ((accessKey === undefined) !== (secretKey === undefined)) {
    throw new ConfigError('SKLAD_ACCESS_KEY and SKLAD_SECRET_KEY (access-key and secret-key in a config file) must be given together');
  }
  if (accessKey !== undefined && !/^[A-Za-z0-9+/=_.-]{3,128}$/.test(accessKey)) {
    throw new ConfigError('SKLAD_ACCESS_KEY must be 3-128 characters of letters, digits and +/=_.-');
  }
  if (secretKey !== undefined && secretKey.length < 8) throw new ConfigError('SKLAD_SECRET_KEY must be at least 8 characters');
  const masterKey = pick('master-key', 'SKLAD_MASTER_KEY');
  const masterKeyFile = pick('master-key-file', 'SKLAD_MASTER_KEY_FILE');
  if (masterKey !== undefined && masterKeyFile !== undefined) {
    throw new ConfigError('give the master key either as SKLAD_MASTER_KEY or as --master-key-file / SKLAD_MASTER_KEY_FILE, not both');
  }
  const tlsCert = pick('tls-cert', 'SKLAD_TLS_CERT');
  const tlsKey = pick('tls-key', 'SKLAD_TLS_KEY');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError('TLS needs both a certificate and its key: give --tls-cert and --tls-key (SKLAD_TLS_CERT / SKLAD_TLS_KEY, tls-cert / tls-key in a config file), or neither');
  }
  const requestTimeoutMs = parseNumber(pick('request-timeout-ms', 'SKLAD_REQUEST_TIMEOUT_MS') ?? '0', 'request-timeout-ms');
  const headersTimeoutMs = parseNumber(pick('headers-timeout-ms', 'SKLAD_HEADERS_TIMEOUT_MS') ?? '30000', 'headers-timeout-ms');
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(`headers-timeout-ms (${headersTimeoutMs}) cannot be longer than request-timeout-ms (${requestTimeoutMs})`);
  }
  const dataDir = path.resolve(pick('data', 'SKLAD_DATA') ?? 'data');
  const port = parsePort(pick('port', 'SKLAD_PORT') ?? '9000');
  const metadataUrl = pick('metadata-url', 'SKLAD_METADATA_URL');
  if (metadataUrl !== undefined && !/^postgres(ql)?:\/\//.test(metadataUrl)) {
    throw new ConfigError('metadata-url must be a postgres:// (or postgresql://) URL');
  }
  const metadataPoolSize = parseNumber(pick('metadata-pool-size', 'SKLAD_METADATA_POOL_SIZE') ?? '16', 'metadata-pool-size');
  if (!Number.isInteger(metadataPoolSize) || metadataPoolSize < 1) throw new ConfigError(`invalid metadata-pool-size: ${metadataPoolSize} (a whole number, 1 or more)`);
  const gatewayId = pick('gateway-id', 'SKLAD_GATEWAY_ID') ?? defaultGatewayId(port);
  if (!GATEWAY_ID.test(gatewayId)) throw new ConfigError(`invalid gateway-id: ${gatewayId} (1-64 letters, digits and ._-)`);
  const auditDir = pick('audit-dir', 'SKLAD_AUDIT_DIR');
  // Gateways sharing a data folder keep one audit chain each, side by side (`sklad audit verify` checks all).
  const defaultAuditDir = metadataUrl === undefined ? path.join(dataDir, 'audit') : path.join(dataDir, 'audit', gatewayId);
  const auditDirPath = auditDir === undefined ? defaultAuditDir : path.resolve(auditDir);
  // Both folders hold a sklad.lock; one folder for both would lock out its own server.
  if (auditDirPath === dataDir) throw new ConfigError('audit-dir must not be the data folder itself (the default is DATA/audit)');
  const auditMaxFileMiB = parseNumber(pick('audit-max-file-mib', 'SKLAD_AUDIT_MAX_FILE_MIB') ?? '64', 'audit-max-file-mib');
  if (auditMaxFileMiB <= 0) throw new ConfigError('audit-max-file-mib must be greater than 0');
  return {
    dataDir,
    host: pick('host', 'SKLAD_HOST') ?? '0.0.0.0',
    port,
    region,
    domain: pick('domain', 'SKLAD_DOMAIN'),
    websitePort: optionalPort(pick('website-port', 'SKLAD_WEBSITE_PORT')),
    websiteDomain: pick('website-domain', 'SKLAD_WEBSITE_DOMAIN'),
    logLevel: pick('log-level', 'SKLAD_LOG_LEVEL') ?? 'info',
    logFormat: (pick('log-format', 'SKLAD_LOG_FORMAT') ?? 'auto') as Config['logFormat'],
    rootAccessKey: accessKey,
    rootSecretKey: secretKey,
    shutdownGraceMs: parseNumber(pick('shutdown-grace-ms', 'SKLAD_SHUTDOWN_GRACE_MS') ?? '30000', 'shutdown-grace-ms'),
    idleTimeoutMs: parseNumber(pick('idle-timeout-ms', 'SKLAD_IDLE_TIMEOUT_MS') ?? '60000', 'idle-timeout-ms'),
    requestTimeoutMs,
    keepAliveTimeoutMs: parseNumber(pick('keep-alive-timeout-ms', 'SKLAD_KEEP_ALIVE_TIMEOUT_MS') ?? '65000', 'keep-alive-timeout-ms'),
    tlsCertFile: tlsCert === undefined ? undefined : path.resolve(tlsCert),
    tlsKeyFile: tlsKey === undefined ? undefined : path.resolve(tlsKey),
    maxPresignSeconds: parseNumber(pick('presign-max-seconds', 'SKLAD_PRESIGN_MAX_SECONDS') ?? '604800', 'presign-max-seconds'),
    metricsToken: pick('metrics-token', 'SKLAD_METRICS_TOKEN'),
    metricsPublic: parseBoolean(pick('metrics-public', 'SKLAD_METRICS_PUBLIC') ?? 'false', 'metrics-public'),
    headersTimeoutMs,
    uploadExpiryHours: parseNumber(pick('upload-expiry-hours', 'SKLAD_UPLOAD_EXPIRY_HOURS') ?? '168', 'upload expiry (hours)'),
    maxOpenUploadsPerBucket: parseNumber(pick('max-open-uploads-per-bucket', 'SKLAD_MAX_OPEN_UPLOADS_PER_BUCKET') ?? '10000', 'max-open-uploads-per-bucket'),
    verifyReads: parseBoolean(pick('verify-reads', 'SKLAD_VERIFY_READS') ?? 'true', 'verify-reads'),
    scrubIntervalHours: parseNumber(pick('scrub-interval-hours', 'SKLAD_SCRUB_INTERVAL_HOURS') ?? '168', 'scrub interval (hours)'),
    scrubRateMiB: parseNumber(pick('scrub-rate-mib', 'SKLAD_SCRUB_RATE_MIB') ?? '64', 'scrub rate (MiB/s)'),
    lifecycleDaySeconds: parseNumber(pick('lifecycle-day-seconds', 'SKLAD_LIFECYCLE_DAY_SECONDS') ?? '86400', 'lifecycle-day-seconds'),
    masterKey,
    masterKeyFile: masterKeyFile === undefined ? undefined : path.resolve(masterKeyFile),
    oldMasterKeys: (pick('old-master-keys', 'SKLAD_OLD_MASTER_KEYS') ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    encryptAll: parseBoolean(pick('encrypt-all', 'SKLAD_ENCRYPT_ALL') ?? 'false', 'encrypt-all'),
    allowInsecureSseC: parseBoolean(pick('allow-insecure-sse-c', 'SKLAD_ALLOW_INSECURE_SSE_C') ?? 'false', 'allow-insecure-sse-c'),
    console: parseBoolean(pick('console', 'SKLAD_CONSOLE') ?? 'on', 'console (on or off)'),
    audit: parseBoolean(pick('audit', 'SKLAD_AUDIT') ?? 'on', 'audit (on or off)'),
    auditDir: auditDirPath,
    auditMaxFileBytes: Math.max(1, Math.round(auditMaxFileMiB * 1024 * 1024)),
    auditSyncMs: parseNumber(pick('audit-sync-ms', 'SKLAD_AUDIT_SYNC_MS') ?? '1000', 'audit-sync-ms'),
    metadataUrl,
    metadataPoolSize,
    gatewayId,
  };
}
