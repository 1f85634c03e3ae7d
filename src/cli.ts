// Command line: `sklad serve`, `sklad scrub` and help. Signals close the server gracefully.
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError, type Config, type ConfigReport, type ServeFlags } from './config/config.js';
import { loadConfig } from './config/load-config.js';
import { formatEffectiveConfig } from './config/print-config.js';
import { healthcheckCommand } from './commands/healthcheck.js';
import { MasterKeyError } from './crypto/master-key.js';
import { startServer, type RunningServer } from './server.js';
import { terminalLogStream } from './observability/terminal-log.js';
import { DataFolderBusyError } from './data-folder/lock.js';
import { scrubCommand } from './commands/scrub.js';
import { auditCommand } from './commands/audit-verify.js';
import { adminCommand } from './admin/cli/main.js';
import { SKLAD_VERSION } from './config/version.js';
import { announceGeneratedRoot } from './commands/generated-root.js';
import { ROOT_CREDENTIALS_FILE } from './data-folder/root-credentials.js';


const mainHelp = `sklad ${SKLAD_VERSION} — S3-compatible object storage server

Usage:
  sklad serve [options]     start the server (see 'sklad serve --help')
  sklad scrub [options]     verify every stored object (see 'sklad scrub --help')
  sklad audit verify [...]  check the audit log's hash chain (see 'sklad audit --help')
  sklad migrate [options]   move a data folder's index into PostgreSQL (see 'sklad migrate --help')
  sklad admin COMMAND       manage users, access keys, policies and quotas (see 'sklad admin --help')
  sklad healthcheck         exit 0 when the configured server answers /health/ready with 200
  sklad --help              show this help
  sklad --version           print the version
`;

const serveHelp = `Usage: sklad serve [options]

Starts the S3 endpoint. Metadata lives in SQLite and object bytes in files, both under the data folder.

Options (each also read from the environment; flags win):
  --data DIR          data folder                          SKLAD_DATA    (default ./data)
  --host H            address to listen on                 SKLAD_HOST    (default 0.0.0.0)
  --port N            TCP port; 0 picks a free one         SKLAD_PORT    (default 9000)
  --region R          the region signatures must name      SKLAD_REGION  (default: none, so any signed
                      region is accepted and buckets are created in us-east-1)
  --domain D          base domain for virtual-hosted-style SKLAD_DOMAIN  (bucket.D); path style always works
  --website-port N    serve static websites on port N (0: a free one) SKLAD_WEBSITE_PORT
                      at http://HOST:N/BUCKET/KEY; announced as 'sklad website on http://HOST:PORT'
  --website-domain D  answer Host BUCKET.D as that bucket's website  SKLAD_WEBSITE_DOMAIN
  --log-level L       fatal|error|warn|info|debug|trace    SKLAD_LOG_LEVEL (default info)
  --log-format F      auto|json|pretty: auto writes short lines for a person when stdout is a terminal,
                      JSON lines otherwise                 SKLAD_LOG_FORMAT (default auto)
  --console on|off    the web console at /_sklad/console/  SKLAD_CONSOLE (default on)
  --upload-expiry-hours H  abort incomplete multipart uploads older than H hours
                           (0 = never)                     SKLAD_UPLOAD_EXPIRY_HOURS (default 168)
  --max-open-uploads-per-bucket N  refuse CreateMultipartUpload while a bucket has N open uploads
                           (0 = no limit)                  SKLAD_MAX_OPEN_UPLOADS_PER_BUCKET (default 10000)
  --scrub-interval-hours H re-verify every stored object every H hours, throttled
                           (0 = never)                     SKLAD_SCRUB_INTERVAL_HOURS (default 168)
  --scrub-rate-mib R       background scrub read rate      SKLAD_SCRUB_RATE_MIB (default 64)
  --lifecycle-day-seconds N  length of a lifecycle "day", for testing rules: rule days count in
                           units of N seconds              SKLAD_LIFECYCLE_DAY_SECONDS (default 86400)
  --metrics-public B       serve GET /metrics without a token (true|false)  SKLAD_METRICS_PUBLIC
                           (default false; SKLAD_METRICS_TOKEN sets the bearer token that unlocks it)
  --verify-reads B         check whole-object GETs against their recorded digests while streaming
                           (true|false)                    SKLAD_VERIFY_READS (default true)
  --encrypt-all            encrypt every new object at rest (SSE-S3) unless it asks for SSE-C
                                                           SKLAD_ENCRYPT_ALL=true
  --master-key-file FILE   master key for SSE-S3 (base64 or 32 raw bytes)
                                                           SKLAD_MASTER_KEY_FILE (default DIR/master.key,
                           generated on first start); or the key itself, base64, in SKLAD_MASTER_KEY.
                           Retired keys still needed to read older objects: SKLAD_OLD_MASTER_KEYS=k1,k2
  --allow-insecure-sse-c   accept SSE-C keys over plain HTTP (e.g. behind a TLS-terminating proxy)
                                                           SKLAD_ALLOW_INSECURE_SSE_C=true
  --audit on|off           keep the hash-chained audit log of writes, deletes and denied requests
                                                           SKLAD_AUDIT (default on)
  --audit-dir DIR          audit log folder                SKLAD_AUDIT_DIR (default DIR/audit)
  --audit-max-file-mib N   rotate the audit file past N MiB  SKLAD_AUDIT_MAX_FILE_MIB (default 64);
                           SIGUSR2 rotates it now; SKLAD_AUDIT_SYNC_MS (default 1000) bounds fdatasync delay
  --metadata-url URL       postgres://… metadata database shared by several gateways over one shared
                           data folder (docs/operations.md, "Running several gateways")
                                                           SKLAD_METADATA_URL (default: SQLite in DIR)
  --gateway-id ID          this gateway's name among those sharing DIR: its temporary files, lock and
                           audit chain                     SKLAD_GATEWAY_ID (default HOSTNAME-PORT)
  --metadata-pool-size N   connections to the metadata database at most
                                                           SKLAD_METADATA_POOL_SIZE (default 16)
  --config FILE       YAML config file (keys in docs/operations.md)   SKLAD_CONFIG
                      flags win over the environment, which wins over the file
  --print-config      print the effective configuration with each value's source, then exit
  --tls-cert FILE     serve HTTPS with this PEM certificate chain     SKLAD_TLS_CERT
  --tls-key FILE      and this PEM private key (both or neither)      SKLAD_TLS_KEY
                      SIGHUP re-reads both without dropping connections
  --headers-timeout-ms N    longest wait for a request's headers      SKLAD_HEADERS_TIMEOUT_MS (default 30000)
  --idle-timeout-ms N       close a connection silent this long       SKLAD_IDLE_TIMEOUT_MS (default 60000, 0 = never)
  --request-timeout-ms N    longest whole request (0 = none)          SKLAD_REQUEST_TIMEOUT_MS (default 0)
  --keep-alive-timeout-ms N idle keep-alive wait for the next request SKLAD_KEEP_ALIVE_TIMEOUT_MS (default 65000)
  --presign-max-seconds N   longest presigned-URL lifetime (SigV4 and SigV2)
                                                           SKLAD_PRESIGN_MAX_SECONDS (default 604800, 7 days)
  --shutdown-grace-ms N     in-flight requests may run this long after SIGTERM
                                                           SKLAD_SHUTDOWN_GRACE_MS (default 30000)
  -h, --help          show this help

Root credentials come from SKLAD_ACCESS_KEY and SKLAD_SECRET_KEY. When they are not set, the first
start generates strong ones and stores them in DIR/root-credentials.json (mode 600); on a terminal it
prints them once, otherwise (a pipe, a service's log) only the log line names the file. Later starts
reuse them.

On start it prints 'sklad listening on http://HOST:PORT' (https with TLS). SIGINT or SIGTERM stops accepting
connections, answers 503 on /health/ready, lets in-flight requests finish (up to the shutdown grace) and
closes the index; a second signal exits at once.
`;

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      region: { type: 'string' },
      domain: { type: 'string' },
      'website-port': { type: 'string' },
      'website-domain': { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      console: { type: 'string' },
      'upload-expiry-hours': { type: 'string' },
      'max-open-uploads-per-bucket': { type: 'string' },
      'scrub-interval-hours': { type: 'string' },
      'scrub-rate-mib': { type: 'string' },
      'lifecycle-day-seconds': { type: 'string' },
      'verify-reads': { type: 'string' },
      'metrics-public': { type: 'string' },
      'master-key-file': { type: 'string' },
      'encrypt-all': { type: 'boolean' },
      'allow-insecure-sse-c': { type: 'boolean' },
      audit: { type: 'string' },
      'audit-dir': { type: 'string' },
      'audit-max-file-mib': { type: 'string' },
      'metadata-url': { type: 'string' },
      'gateway-id': { type: 'string' },
      'metadata-pool-size': { type: 'string' },
      config: { type: 'string' },
      'print-config': { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'headers-timeout-ms': { type: 'string' },
      'idle-timeout-ms': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'keep-alive-timeout-ms': { type: 'string' },
      'shutdown-grace-ms': { type: 'string' },
      'presign-max-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(serveHelp);
    return 0;
  }
  const { help: _help, ...flags } = values;
  const { 'print-config': printConfig, ...settings } = flags;
  const report: ConfigReport = { sources: {}, warnings: [] };
  const config = loadConfig(settings as ServeFlags, process.env, report);
  if (printConfig) {
    process.stdout.write(formatEffectiveConfig(config, report));
    return 0;
  }
  const forPerson = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true);
  const log = forPerson ? pino({ level: config.logLevel }, terminalLogStream(process.stdout)) : pino({ level: config.logLevel });
  for (const warning of report.warnings) log.warn(warning);
  const server = await startServer(config, log);
  if (forPerson) {
    process.stdout.write(startBanner(config, server, process.stdout.isTTY === true));
  } else {
    if (server.generatedSecret !== undefined) {
      const file = path.join(config.dataDir, ROOT_CREDENTIALS_FILE);
      announceGeneratedRoot(process.stdout, log, { accessKey: server.rootAccessKey, secretKey: server.generatedSecret, file });
    }
    if (server.generatedMasterKeyFile !== undefined) {
      process.stdout.write(`Generated a master key for encryption at rest: ${server.generatedMasterKeyFile} (back it up apart from the data)\n`);
    }
  }
  process.stdout.write(`sklad listening on ${server.tls ? 'https' : 'http'}://${config.host}:${server.port}\n`);
  if (server.websitePort !== undefined) process.stdout.write(`sklad website on ${server.tls ? 'https' : 'http'}://${config.host}:${server.websitePort}\n`);
  if (server.tls) process.on('SIGHUP', () => void server.reloadTls());
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // An operator who signals twice wants out now; storage is crash-safe, the next start cleans up.
        log.warn({ signal }, 'second signal: exiting without waiting for in-flight requests');
        process.exit(1);
      }
      stopping = true;
      log.info({ signal }, 'signal received: shutting down');
      server.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

/** What a person starting sklad in a terminal needs first: where the console is and where the credentials are. */
function startBanner(config: Config, server: RunningServer, terminal: boolean): string {
  const credentials = config.rootAccessKey !== undefined ? 'from SKLAD_ACCESS_KEY / SKLAD_SECRET_KEY' : path.join(config.dataDir, ROOT_CREDENTIALS_FILE);
  const lines = [
    '',
    `  sklad ${SKLAD_VERSION}`,
    ...(config.console ? [`  Console       ${server.url}/_sklad/console/`] : []),
    `  Credentials   ${credentials}`,
    `                access key ${server.rootAccessKey}`,
    // A generated secret is shown once, and only on a terminal: piped output is kept and read by others.
    ...(server.generatedSecret === undefined
      ? []
      : [terminal ? `                secret key ${server.generatedSecret}   (shown once)` : '                secret key in the credentials file (not printed: stdout is not a terminal)']),
    `  S3 endpoint   ${server.url}`,
    `  Data folder   ${config.dataDir}`,
    ...(server.generatedMasterKeyFile !== undefined ? [`  Master key    ${server.generatedMasterKeyFile}   (generated: back it up apart from the data)`] : []),
    '',
    '',
  ];
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve(rest);
      case 'scrub':
        return await scrubCommand(rest);
      case 'migrate':
        // Loaded on demand: the PostgreSQL client is not worth loading for every other command.
        return await (await import('./commands/migrate.js')).migrateCommand(rest);
      case 'audit':
        return await auditCommand(rest);
      case 'admin':
        return await adminCommand(rest);
      case 'healthcheck':
        return await healthcheckCommand(rest);
      case '--version':
      case '-v':
        process.stdout.write(`${SKLAD_VERSION}\n`);
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(mainHelp);
        return 0;
      default:
        process.stderr.write(`unknown command: ${command}\n\n${mainHelp}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DataFolderBusyError || e instanceof MasterKeyError || (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`sklad: ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
}
