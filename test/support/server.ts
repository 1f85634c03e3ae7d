// Starts the real sklad server on 127.0.0.1 with an ephemeral port and a temporary data folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer, type RunningServer } from '../../src/server.js';

export const ACCESS_KEY = 'testaccesskey';
export const SECRET_KEY = 'testsecretkey0123456789';
export const REGION = 'us-east-1';

export interface TestServer {
  server: RunningServer;
  endpoint: string;
  dataDir: string;
  /** Where the server writes its audit chain (per gateway when the metadata is in PostgreSQL). */
  auditDir: string;
  client(overrides?: Partial<S3ClientConfig>): S3Client;
  /** Stops the server; the data folder stays until `cleanup`. */
  stop(): Promise<void>;
  /** Starts a fresh server process on the same data folder (a restart). */
  restart(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface TestServerOptions {
  dataDir?: string;
  domain?: string;
  /** Extra server environment, e.g. SKLAD_UPLOAD_EXPIRY_HOURS. */
  env?: Record<string, string>;
  /** Leave the data folder in place on cleanup (it is shared with other servers). */
  keepDataDir?: boolean;
}

/** Gateway id of a test server over PostgreSQL that was given none. */
const DEFAULT_GATEWAY_ID = 'gw1';

let metadataDatabases: (() => Promise<string>) | undefined;

/**
 * From now on, every test server of this test file that is not told otherwise keeps its metadata in
 * PostgreSQL (as a gateway, `--metadata-url`), each in a fresh database that `provide` returns the URL of.
 * See postgres-metadata.ts.
 */
export function useMetadataDatabases(provide: () => Promise<string>): void {
  metadataDatabases = provide;
}

/**
 * Every test server logs through this stream: lines are echoed at the test log level, and any
 * InternalError makes `cleanup()` fail, so no input a test sends may reach the 500 path unnoticed.
 */
function guardedLogger(internalErrors: string[]): pino.Logger {
  const echoLevel = process.env.SKLAD_TEST_LOG_LEVEL ?? 'warn';
  const stream = {
    write(line: string): void {
      const entry = JSON.parse(line) as { level: number; msg?: string };
      if (entry.msg === 'internal error') internalErrors.push(line);
      if (entry.level >= pino.levels.values[echoLevel]!) process.stderr.write(line);
    },
  };
  return pino({ level: 'info' }, stream);
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'sklad-test-')));
  const metadataUrl = options.env?.SKLAD_METADATA_URL === undefined && metadataDatabases !== undefined
    ? { SKLAD_METADATA_URL: await metadataDatabases(), SKLAD_GATEWAY_ID: options.env?.SKLAD_GATEWAY_ID ?? DEFAULT_GATEWAY_ID }
    : {};
  const env = { ...options.env, ...metadataUrl };
  const gatewayId = env.SKLAD_METADATA_URL === undefined ? undefined : env.SKLAD_GATEWAY_ID;
  const internalErrors: string[] = [];
  const log = guardedLogger(internalErrors);
  const boot = (): Promise<RunningServer> =>
    startServer(
      loadConfig(
        { data: dataDir, host: '127.0.0.1', port: '0', domain: options.domain },
        {
          SKLAD_ACCESS_KEY: ACCESS_KEY,
          SKLAD_SECRET_KEY: SECRET_KEY,
          SKLAD_SHUTDOWN_GRACE_MS: '2000',
          // The test server speaks plain HTTP; SSE-C tests need it to accept customer keys anyway.
          SKLAD_ALLOW_INSECURE_SSE_C: 'true',
          ...env,
        },
      ),
      log,
    );
  const clients: S3Client[] = [];
  const handle: TestServer = {
    server: await boot(),
    get endpoint() {
      return `http://127.0.0.1:${handle.server.port}`;
    },
    dataDir,
    auditDir: gatewayId === undefined ? path.join(dataDir, 'audit') : path.join(dataDir, 'audit', gatewayId),
    client(overrides = {}) {
      const c = new S3Client({
        endpoint: handle.endpoint,
        region: REGION,
        forcePathStyle: true,
        credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
        ...overrides,
      });
      clients.push(c);
      return c;
    },
    async stop() {
      await handle.server.close();
    },
    async restart() {
      await handle.server.close();
      handle.server = await boot();
    },
    async cleanup() {
      for (const c of clients) c.destroy();
      await handle.server.close();
      if (!options.keepDataDir) await rm(dataDir, { recursive: true, force: true });
      if (internalErrors.length > 0) {
        throw new Error(`the server answered ${internalErrors.length} request(s) with InternalError:\n${internalErrors.join('')}`);
      }
    },
  };
  return handle;
}
