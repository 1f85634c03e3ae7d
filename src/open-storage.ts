// Composition root of the storage: the metadata index and blob store a configuration asks for, with what
// goes with each. SQLite in the data folder for one server; or PostgreSQL shared by several gateways over
// a shared data folder, each gateway with its own temporary folder, lock and share of the cluster's work.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { BackupTargetError } from './data-folder/backup.js';
import { lockDataFolder, type DataLock } from './data-folder/lock.js';
import { recoverStorage } from './data-folder/recovery.js';
import type { BlobStore } from './storage/blob-store.js';
import { DeletionHold } from './storage/deletion-hold.js';
import { PRIVATE_DIR_MODE } from './storage/file-modes.js';
import { DiskBlobStore } from './storage/disk/disk-blob-store.js';
import type { IdentityIndex } from './storage/identity-index.js';
import type { SessionIndex } from './storage/session-index.js';
import { InlineBlobStore } from './storage/inline-blob-store.js';
import type { MetadataIndex } from './storage/metadata-index.js';
import { SqliteMetadataIndex } from './storage/sqlite/sqlite-metadata-index.js';

/**
 * Unreferenced blobs younger than this survive a gateway's start-up recovery: another gateway may have
 * just written one and not yet committed its record (that takes milliseconds; an hour is ample even for a
 * database failover in between).
 */
export const SHARED_ORPHAN_GRACE_MS = 3_600_000;

/** How often caches are emptied while change notifications are not being heard: the staleness bound. */
const UNHEARD_CHANGES_FLUSH_MS = 1000;

export interface OpenedStorage {
  index: MetadataIndex;
  identity: IdentityIndex;
  /** Console sessions, in the metadata database (shared by every gateway). */
  sessions: SessionIndex;
  blobs: BlobStore;
  /** The blob files, behind the deletion hold an online backup uses. */
  files: DeletionHold<DiskBlobStore>;
  /** A consistent copy of the index in one file, for the online backup. */
  snapshotIndex(file: string): Promise<void>;
  /** Whether this server runs the cluster's background work now. */
  isLeader(): boolean;
  /** Calls `listener` whenever this server becomes the leader after starting as a follower (never for SQLite). */
  onLeadership(listener: () => void): void;
  /** A round trip to a networked database, for readiness; absent for SQLite. */
  probeDatabase?: () => Promise<void>;
  /** Calls `listener` whenever another gateway changed users, keys or bucket settings (or may have). */
  onForeignChange(listener: () => void): void;
  /** Set when several gateways share the storage. */
  gatewayId?: string;
  close(): Promise<void>;
}

export async function openStorage(config: Config, log: Logger): Promise<OpenedStorage> {
  return config.metadataUrl === undefined ? openSingle(config, log) : openShared(config, config.metadataUrl, log);
}

async function openSingle(config: Config, log: Logger): Promise<OpenedStorage> {
  const lock = await lockDataFolder(config.dataDir);
  try {
    const index = SqliteMetadataIndex.open(path.join(config.dataDir, 'index.sqlite'));
    // Blob files sit behind a deletion hold so an online backup can copy everything its index snapshot references.
    const files = new DeletionHold(await DiskBlobStore.open(config.dataDir));
    const blobs = new InlineBlobStore(files, index.inlineBlobs());
    await recoverStorage(index, blobs, log);
    return {
      index,
      identity: index.identity(),
      sessions: index.sessions(),
      blobs,
      files,
      snapshotIndex: (file) => index.snapshot(file),
      isLeader: () => true,
      onLeadership: () => undefined,
      onForeignChange: () => undefined,
      async close() {
        await index.close();
        await lock.release();
      },
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function openShared(config: Config, url: string, log: Logger): Promise<OpenedStorage> {
  // Loaded only for a shared database: a single server never needs the PostgreSQL client.
  const [{ connectionConfig }, { LeaderLease }, { PostgresMetadataIndex }] = await Promise.all([
    import('./storage/postgres/connection.js'),
    import('./storage/postgres/leader-lease.js'),
    import('./storage/postgres/postgres-metadata-index.js'),
  ]);
  const gateway = config.gatewayId;
  // The lock is per gateway: others share the folder; a second process with this gateway's id is refused.
  const lockDir = path.join(config.dataDir, 'gateways', gateway);
  await mkdir(lockDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const lock: DataLock = await lockDataFolder(lockDir);
  const opened: { close(): Promise<void> }[] = [];
  try {
    const options = { url, applicationName: `sklad ${gateway}`, poolSize: config.metadataPoolSize };
    const index = await PostgresMetadataIndex.open(options);
    opened.push(index);
    const leader = await LeaderLease.start(connectionConfig(options));
    opened.push(leader);
    // Small blobs are rows of the shared database, which every gateway reads, as the files in the shared folder.
    const files = new DeletionHold(await DiskBlobStore.open(config.dataDir, gateway));
    const blobs = new InlineBlobStore(files, index.inlineBlobs());
    await recoverStorage(index, blobs, log, { orphanGraceMs: SHARED_ORPHAN_GRACE_MS });
    const listeners: (() => void)[] = [];
    const changed = (): void => listeners.forEach((listener) => listener());
    index.changes.on('change', changed);
    index.changes.on('lost', changed);
    const flush = setInterval(() => {
      if (!index.changes.listening) changed();
    }, UNHEARD_CHANGES_FLUSH_MS);
    flush.unref();
    log.info({ gateway, leader: leader.isLeader() }, 'gateway joined the cluster: metadata in PostgreSQL');
    leader.onAcquired(() => log.info({ gateway }, 'this gateway took over the cluster\'s background work'));
    return {
      index,
      identity: index.identity(),
      sessions: index.sessions(),
      blobs,
      files,
      snapshotIndex: async () => {
        throw new BackupTargetError('with a PostgreSQL metadata database, back up the database with its own tools (pg_dump, pg_basebackup) and the data folder with a filesystem snapshot: see docs/operations.md');
      },
      isLeader: () => leader.isLeader(),
      onLeadership: (listener) => leader.onAcquired(listener),
      probeDatabase: async () => {
        if (!(await index.ping())) throw new Error('the metadata database does not answer');
      },
      onForeignChange: (listener) => listeners.push(listener),
      gatewayId: gateway,
      async close() {
        clearInterval(flush);
        await leader.close();
        await index.close();
        await lock.release();
      },
    };
  } catch (error) {
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
    await lock.release();
    throw error;
  }
}
