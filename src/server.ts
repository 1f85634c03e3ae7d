// Composition root: opens the metadata index and blob store under the data folder, serves the app,
// and closes everything in order on shutdown.
import { mkdir } from 'node:fs/promises';
import { createServer as createPlainServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import pino, { type Logger } from 'pino';
import { createApp } from './app.js';
import { createMetrics } from './observability/metrics.js';
import { ROOT_USER_ID } from './auth/credentials.js';
import { IndexedCredentials } from './identity/indexed-credentials.js';
import { AccessControl } from './access/access-control.js';
import { createAdminApi } from './admin/api.js';
import { createConsole } from './console/endpoint.js';
import { SessionStore } from './console/session-store.js';
import { DEFAULT_ASSETS_DIR, loadAssets } from './console/static-assets.js';
import { RequestFeed } from './observability/request-feed.js';
import { SKLAD_VERSION } from './config/version.js';
import { keyringSealer } from './identity/secret-seal.js';
import { ConfigError, DEFAULT_REGION, type Config } from './config/config.js';
import { loadKeyring, MasterKeyError, type LoadedKeyring } from './crypto/master-key.js';
import { loadRootCredentials } from './data-folder/root-credentials.js';
import { backupDataFolder } from './data-folder/backup.js';
import { startUploadExpiry } from './data-folder/upload-expiry.js';
import { openStorage } from './open-storage.js';
import { looseEntries } from './data-folder/permissions.js';
import { PRIVATE_DIR_MODE } from './storage/file-modes.js';
import { startBackgroundScrub } from './integrity/background-scrub.js';
import { startLifecycleWorker } from './lifecycle/worker.js';
import { openAuditLog } from './audit/open.js';
import { createWebsiteListener } from './website/endpoint.js';
import { answerClientError } from './http/client-errors.js';
import { loadTlsMaterial, TlsMaterialError, type TlsFiles, type TlsMaterial } from './http/tls.js';

export interface RunningServer {
  url: string;
  port: number;
  rootAccessKey: string;
  /** Root secret, set only on the start that generated it (so it can be shown once). */
  generatedSecret?: string;
  /** Master key file, set only on the start that generated it. */
  generatedMasterKeyFile?: string;
  /** Port of the website endpoint, when one was asked for. */
  websitePort?: number;
  /** True when the server speaks HTTPS. */
  tls: boolean;
  /** Re-reads the TLS certificate and key for new connections; a bad pair is logged and the old one kept. */
  reloadTls(): Promise<boolean>;
  /** Stops accepting connections, lets in-flight requests finish within the grace period, then closes storage. */
  close(): Promise<void>;
}


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

/** The configured certificate files, read and checked before anything else starts. */
async function openTls(config: Config): Promise<{ files: TlsFiles; material: TlsMaterial } | undefined> {
  if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) return undefined;
  const files = { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile };
  try {
    return { files, material: await loadTlsMaterial(files) };
  } catch (e) {
    throw e instanceof TlsMaterialError ? new ConfigError(e.message) : e;
  }
}

/** The website endpoint's own listener (same host, TLS and timeouts as the S3 port). */
function listenWebsite(config: Config, tls: TlsMaterial | undefined, website: ReturnType<typeof createWebsiteListener>): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const handler = (req: Parameters<typeof website>[0], res: ServerResponse): void => void website(req, res);
    const s = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, handler) : createPlainServer(handler);
    s.headersTimeout = config.headersTimeoutMs;
    s.timeout = config.idleTimeoutMs;
    s.keepAliveTimeout = config.keepAliveTimeoutMs;
    s.once('error', reject);
    s.listen(config.websitePort, config.host, () => resolve(s));
  });
}

/** What start-up opened, closed in reverse order on shutdown or when a later step of start-up fails. */
class Teardown {
  readonly #steps: { name: string; close: () => Promise<void> | void }[] = [];

  add(name: string, close: () => Promise<void> | void): void {
    this.#steps.push({ name, close });
  }

  /** Runs every step, last added first; a failing step is logged and the rest still run. */
  async run(log: Logger): Promise<void> {
    for (let step = this.#steps.pop(); step !== undefined; step = this.#steps.pop()) {
      try {
        await step.close();
      } catch (err) {
        log.error({ err, step: step.name }, 'shutdown step failed');
      }
    }
  }
}

export async function startServer(config: Config, log: Logger = pino({ level: config.logLevel })): Promise<RunningServer> {
  const teardown = new Teardown();
  try {
    return await start(config, log, teardown);
  } catch (e) {
    await teardown.run(log);
    throw e;
  }
}

async function start(config: Config, log: Logger, teardown: Teardown): Promise<RunningServer> {
  const tls = await openTls(config);
  await mkdir(config.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const storage = await openStorage(config, log);
  teardown.add('storage', () => storage.close());
  const { index, identity, blobs, files } = storage;
  for (const entry of await looseEntries(config.dataDir, config.audit ? [config.auditDir] : [])) {
    log.warn(entry, 'readable by other local users: sklad keeps object data, secrets and keys here; chmod go-rwx it (700 for folders, 600 for files)');
  }
  const keys = await openKeyring(config, log);
  const root = await loadRootCredentials(
    config.dataDir,
    config.rootAccessKey && config.rootSecretKey ? { accessKey: config.rootAccessKey, secretKey: config.rootSecretKey } : undefined,
  );
  const audit = await openAuditLog(config, log);
  // Every request has finished before this runs, so every audit record is queued: written and synced here.
  teardown.add('audit log', () => audit.close());
  const sealer = keyringSealer(keys.keyring);
  const credentials = new IndexedCredentials(
    { secretKey: root.secretKey, principal: { accessKeyId: root.accessKey, userId: ROOT_USER_ID, isRoot: true } },
    identity,
    sealer,
  );
  const access = new AccessControl(identity, index);
  // Another gateway changed users, keys or policies: what this one cached of them is dropped.
  storage.onForeignChange(() => {
    credentials.invalidate();
    access.invalidate();
  });
  const scrubber = startBackgroundScrub(index, blobs, config.scrubIntervalHours, config.scrubRateMiB, log, keys.keyring, storage.isLeader);
  teardown.add('background scrub', () => scrubber.stop());
  const expiry = startUploadExpiry(index, blobs, config.uploadExpiryHours, log, undefined, storage.isLeader);
  teardown.add('upload expiry', () => expiry.stop());
  const lifecycle = startLifecycleWorker({ index, blobs, log, audit, dayMs: config.lifecycleDaySeconds * 1000, isLeader: storage.isLeader });
  // Unwound before the audit log closes: the worker audits what it deletes.
  teardown.add('lifecycle worker', () => lifecycle.stop());
  // The passes run at start on the leader only (a follower's would do the leader's work twice), and again
  // when a follower takes over from a leader that died: whatever that one left undone starts now.
  const backgroundPasses = (): void => {
    if (config.uploadExpiryHours > 0) void expiry.runOnce().catch((err: unknown) => log.error({ err }, 'upload expiry failed'));
    void lifecycle.runOnce().catch((err: unknown) => log.error({ err }, 'lifecycle pass failed'));
  };
  if (storage.isLeader()) backgroundPasses();
  storage.onLeadership(backgroundPasses);
  const stats = { integrityFailures: 0 };
  // Set on shutdown: /health/ready answers 503 so a load balancer stops sending work while requests drain.
  let draining = false;
  const metrics = createMetrics(index, stats, { scrub: scrubber, identity, lifecycle, uploadExpiry: expiry, isLeader: storage.isLeader, gatewayId: storage.gatewayId });
  const settings = {
    region: config.region ?? DEFAULT_REGION,
    regionConfigured: config.region !== undefined,
    maxPresignSeconds: config.maxPresignSeconds,
    domain: config.domain,
    maxXmlBodyBytes: 1024 * 1024,
    verifyReads: config.verifyReads,
    encryptAll: config.encryptAll,
    allowInsecureSseC: config.allowInsecureSseC,
    lifecycleDayMs: config.lifecycleDaySeconds * 1000,
    maxOpenUploadsPerBucket: config.maxOpenUploadsPerBucket > 0 ? config.maxOpenUploadsPerBucket : undefined,
  };
  const website = createWebsiteListener({ index, blobs, keyring: keys.keyring, access, settings, stats, log, websiteDomain: config.websiteDomain });
  const frontEnd = {
    index,
    blobs,
    keyring: keys.keyring,
    credentials,
    access,
    settings,
    stats,
    log,
  };
  const admin = createAdminApi({
    backup: (destination) =>
      backupDataFolder({ dataDir: config.dataDir, snapshotIndex: storage.snapshotIndex, blobs: files, version: SKLAD_VERSION }, destination),
    identity,
    index,
    deleteBlobs: async (ids) => {
      for (const id of ids) await blobs.delete(id).catch((err: unknown) => log.warn({ err, blob: id }, 'could not delete an unreferenced blob'));
    },
    sealer,
    keyring: keys.keyring,
    credentials,
    onCredentialsChanged: () => {
      credentials.invalidate();
      access.invalidate();
    },
    allowAdmin: (principal, action, resource) => access.allowsAdmin(principal, action, resource),
    audit,
    settings: { region: config.region ?? DEFAULT_REGION, signingRegion: config.region, domain: config.domain, lifecycleDayMs: config.lifecycleDaySeconds * 1000 },
    version: SKLAD_VERSION,
    startedAt: new Date(),
    log,
  });
  const requestFeed = config.console ? new RequestFeed() : undefined;
  const webConsole = config.console
    ? createConsole({
        frontEnd,
        admin,
        credentials,
        access,
        identity,
        index,
        audit,
        metrics: metrics.registry,
        assets: await loadAssets(DEFAULT_ASSETS_DIR),
        dataDir: config.dataDir,
        auditDir: config.audit ? config.auditDir : undefined,
        requestFeed,
        sessions: new SessionStore(storage.sessions),
        region: config.region ?? DEFAULT_REGION,
        domain: config.domain,
        log,
      })
    : undefined;
  const app = createApp({
    ...frontEnd,
    audit,
    admin,
    console: webConsole,
    requestFeed,
    website: config.websiteDomain === undefined ? undefined : website,
    operator: {
      metrics,
      dataDir: config.dataDir,
      index,
      probeDatabase: storage.probeDatabase,
      metricsToken: config.metricsToken,
      metricsPublic: config.metricsPublic,
      draining: () => draining,
    },
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const https = tls && { createServer: createHttpsServer, serverOptions: { cert: tls.material.cert, key: tls.material.key } };
    const s = serve({ fetch: app, hostname: config.host, port: config.port, ...https }, () => resolve(s as Server)) as Server;
    s.once('error', reject);
  });
  // Node answers an Expect header other than 100-continue with 417 by itself unless someone listens; S3 ignores
  // such an expectation and answers the request, so it goes to the ordinary request handling.
  server.on('checkExpectation', (req, res) => server.emit('request', req, res));
  server.on('clientError', answerClientError);
  // A large upload may take hours, so by default there is no limit on a whole request; a stalled one is cut by
  // the idle timeout instead, and its partial upload is discarded. S3 clients keep connections alive between requests.
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  server.timeout = config.idleTimeoutMs;
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  // While draining, every response closes its connection, so keep-alive clients reconnect elsewhere. Requests
  // already running when the drain starts decided keep-alive on arrival, so they are tracked and switched too;
  // a connection whose response was already under way is closed as soon as it falls idle.
  const inFlight = new Set<ServerResponse>();
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (draining) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const scheme = tls ? 'https' : 'http';
  log.info({ url: `${scheme}://${config.host}:${port}`, dataDir: config.dataDir, tls: tls !== undefined, certificate: tls?.material.fingerprint }, 'sklad started');
  // SIGUSR2 starts a new audit file now (e.g. before shipping the finished one elsewhere).
  const rotateAudit = (): void => void audit.rotate();
  process.on('SIGUSR2', rotateAudit);
  teardown.add('audit rotation signal', () => void process.off('SIGUSR2', rotateAudit));
  teardown.add('listener', async () => {
    // Stop accepting; in-flight requests finish (up to the grace period); idle keep-alive sockets close now.
    draining = true;
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    log.info({ graceMs: config.shutdownGraceMs }, 'sklad stopping: refusing new connections, draining in-flight requests');
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => {
      log.warn({ graceMs: config.shutdownGraceMs }, 'shutdown grace period over: closing the connections still open');
      server.closeAllConnections();
    }, config.shutdownGraceMs);
    await drained;
    clearTimeout(timer);
  });
  const websiteServer = config.websitePort === undefined ? undefined : await listenWebsite(config, tls?.material, website);
  if (websiteServer !== undefined) {
    // Website reads are anonymous GETs with nothing to finish: its connections close at once.
    teardown.add('website listener', async () => {
      const closed = new Promise<void>((resolve) => websiteServer.close(() => resolve()));
      websiteServer.closeAllConnections();
      await closed;
    });
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= teardown.run(log).then(() => log.info('sklad stopped'));
    return closing;
  };
  const reloadTls = async (): Promise<boolean> => {
    if (!tls) return false;
    try {
      const fresh = await loadTlsMaterial(tls.files);
      // Only new handshakes use the new pair; connections already open keep theirs.
      (server as unknown as HttpsServer).setSecureContext({ cert: fresh.cert, key: fresh.key });
      (websiteServer as unknown as HttpsServer | undefined)?.setSecureContext({ cert: fresh.cert, key: fresh.key });
      tls.material = fresh;
      log.info({ certificate: fresh.fingerprint, validTo: fresh.validTo }, 'TLS certificate reloaded');
      return true;
    } catch (e) {
      log.error({ err: e, certificate: tls.material.fingerprint }, 'TLS certificate reload failed: still serving the previous certificate');
      return false;
    }
  };
  return {
    url: `${scheme}://${shownHost}:${port}`,
    port,
    websitePort: websiteServer === undefined ? undefined : (websiteServer.address() as AddressInfo).port,
    rootAccessKey: root.accessKey,
    generatedSecret: root.generated ? root.secretKey : undefined,
    generatedMasterKeyFile: keys.generatedFile,
    tls: tls !== undefined,
    reloadTls,
    close,
  };
}
