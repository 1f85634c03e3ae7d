// Background clean-up of abandoned multipart uploads: aborts uploads older than the configured age.
import type { Logger } from 'pino';
import type { BlobStore } from '../storage/blob-store.js';
import type { MetadataIndex } from '../storage/metadata-index.js';

export interface UploadExpiry {
  /** One pass now; resolves with the number of uploads aborted. */
  runOnce(): Promise<number>;
  /** Uploads aborted since the server started, for metrics. */
  aborted(): number;
  /** Stops the timer and waits for a pass in progress, so the index can be closed after it. */
  stop(): Promise<void>;
}

/**
 * Time between passes: a tenth of the maximum age, so an abandoned upload outlives it by little, but at
 * least a second and at most an hour.
 */
export function expiryIntervalMs(maxAgeHours: number): number {
  return Math.min(3_600_000, Math.max(1000, Math.floor(maxAgeHours * 360_000)));
}

/**
 * `isLeader`: whether this server runs the cluster's background work now (gateways sharing a database
 * elect one; a single server always does). A pass is skipped while it is false.
 */
export function startUploadExpiry(
  index: MetadataIndex,
  blobs: BlobStore,
  maxAgeHours: number,
  log: Logger,
  intervalMs = expiryIntervalMs(maxAgeHours),
  isLeader: () => boolean = () => true,
): UploadExpiry {
  let running: Promise<number> | undefined;
  let aborted = 0;
  const runOnce = (): Promise<number> => {
    if (!isLeader()) return Promise.resolve(0);
    running ??= (async () => {
      try {
        const { uploads, orphans } = await index.expireUploads(new Date(Date.now() - maxAgeHours * 3_600_000));
        for (const id of orphans) await blobs.delete(id).catch((err: unknown) => log.warn({ err, blob: id }, 'could not delete an expired part'));
        aborted += uploads;
        if (uploads > 0) log.info({ uploads }, 'aborted expired multipart uploads');
        return uploads;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = maxAgeHours > 0 ? setInterval(() => void runOnce().catch((err: unknown) => log.error({ err }, 'upload expiry failed')), intervalMs) : undefined;
  timer?.unref();
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    await running?.catch(() => undefined);
  };
  return { runOnce, aborted: () => aborted, stop };
}
