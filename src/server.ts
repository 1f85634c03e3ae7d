// Composition root: opens the metadata index and blob store under the data folder, serves the app,
// and closes everything in order on shutdown.
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { createRequestListener } from './app.js';
import { createMetrics } from './observability/metrics.js';
import { StaticCredentials } from './auth/credentials.js';
import { ConfigError, type Config } from './config.js';
import { loadKeyring, MasterKeyError, type LoadedKeyring } from './crypto/master-key.js';
import { loadRootCredentials } from './root-credentials.js';
import { DiskBlobStore } from './storage/disk/disk-blob-store.js';
import { InlineBlobStore } from './storage/inline-blob-store.js';
import { SqliteMetadataIndex } from './storage/sqlite/sqlite-metadata-index.js';
import { startUploadExpiry } from './upload-expiry.js';
import { recoverStorage } from './recovery.js';
import { lockDataFolder } from './data-lock.js';
import { startBackgroundScrub } from './background-scrub.js';

export interface RunningServer {
  url: string;
  port: number;
  rootAccessKey: string;
  /** Root secret, set only on the start that generated it (so it can be shown once). */
  generatedSecret?: string;
  /** Master key file, set only on the start that generated it. */
  generatedMasterKeyFile?: string;
  close(): Promise<void>;
}

export const ROOT_USER_ID = 'root';

/** The master key for SSE-S3, as configured; a generated key file is announced once, with where to back it up. */
async function openKeyring(config: Config, log: Logger): Promise<LoadedKeyring> {
  let loaded: LoadedKeyring;
  try {
    loaded = await loadKeyring({
      dataDir: config.dataDir,
      masterKey: config.masterKey,
      masterKeyFile: config.masterKeyFile,
      oldMasterKeys: config.oldMasterKeys,
      generate: true,
    });
  } catch (e) {
    throw e instanceof MasterKeyError ? new ConfigError(e.message) : e;
  }
  if (loaded.generatedFile !== undefined) {
    log.info({ file: loaded.generatedFile, keyId: loaded.keyring.currentId }, 'generated a master key for encryption at rest: back it up apart from the data, objects encrypted with SSE-S3 cannot be read without it');
  }
  if (loaded.looseFilePermissions !== undefined) {
    log.warn({ file: loaded.source, mode: loaded.looseFilePermissions }, 'the master key file is readable by other users: chmod 600 it');
  }
  return loaded;
}

export async function startServer(config: Config, log: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  await mkdir(config.dataDir, { recursive: true });
  const lock = await lockDataFolder(config.dataDir);
  let keys: LoadedKeyring;
  try {
    keys = await openKeyring(config, log);
  } catch (e) {
    await lock.release();
    throw e;
  }
  const root = await loadRootCredentials(
    config.dataDir,
    config.rootAccessKey && config.rootSecretKey ? { accessKey: config.rootAccessKey, secretKey: config.rootSecretKey } : undefined,
  );
  const index = SqliteMetadataIndex.open(path.join(config.dataDir, 'index.sqlite'));
  const blobs = new InlineBlobStore(await DiskBlobStore.open(config.dataDir), index.inlineBlobs());
  await recoverStorage(index, blobs, log);
  const credentials = new StaticCredentials([
    { accessKeyId: root.accessKey, secretKey: root.secretKey, userId: ROOT_USER_ID, isRoot: true },
  ]);
  const scrubber = startBackgroundScrub(index, blobs, config.scrubIntervalHours, config.scrubRateMiB, log, keys.keyring);
  const expiry = startUploadExpiry(index, blobs, config.uploadExpiryHours, log);
  if (config.uploadExpiryHours > 0) void expiry.runOnce().catch((err: unknown) => log.error({ err }, 'upload expiry failed'));
  const stats = { integrityFailures: 0 };
  const listener = createRequestListener({
    index,
    blobs,
    keyring: keys.keyring,
    credentials,
    settings: {
      region: config.region,
      domain: config.domain,
      maxXmlBodyBytes: 1024 * 1024,
      verifyReads: config.verifyReads,
      encryptAll: config.encryptAll,
      allowInsecureSseC: config.allowInsecureSseC,
    },
    stats,
    log,
    operator: {
      metrics: createMetrics(index, stats),
      dataDir: config.dataDir,
      index,
      metricsToken: config.metricsToken,
      metricsPublic: config.metricsPublic,
    },
  });

  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const s = createServer((incoming, outgoing) => {
        listener(incoming, outgoing).catch((err: unknown) => {
          // The listener answers every error it can; what escapes it leaves only a cut connection.
          log.error({ err }, 'request failed after its response had started');
          outgoing.destroy();
        });
      });
      s.once('error', reject);
      s.listen(config.port, config.host, () => resolve(s));
    });
  } catch (e) {
    await expiry.stop();
    await scrubber.stop();
    await index.close();
    await lock.release();
    throw e;
  }
  // A large upload may take hours, so there is no limit on a whole request; a stalled one is cut by the
  // idle timeout instead, and its partial upload is discarded. S3 clients keep connections alive between requests.
  server.requestTimeout = 0;
  server.headersTimeout = config.headersTimeoutMs;
  server.timeout = config.idleTimeoutMs;
  server.keepAliveTimeout = 65_000;

  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // Stop accepting; in-flight requests finish (up to the grace period); idle keep-alive sockets close now.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
      await drained;
      clearTimeout(timer);
      await expiry.stop();
      await scrubber.stop();
      await index.close();
      await lock.release();
    })();
    return closing;
  };
  return {
    url: `http://${shownHost}:${port}`,
    port,
    rootAccessKey: root.accessKey,
    generatedSecret: root.generated ? root.secretKey : undefined,
    generatedMasterKeyFile: keys.generatedFile,
    close,
  };
}
