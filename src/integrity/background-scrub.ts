// Runs the integrity scrub in the server at a fixed interval, throttled, quarantining damaged objects.
// Orphan blobs are only reported here: a blob may belong to a write that has not committed yet.
import type { Logger } from 'pino';
import type { Keyring } from '../crypto/keyring.js';
import { scrub, type ScrubReport } from './scrub.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { MetadataIndex } from '../storage/metadata-index.js';

export interface BackgroundScrub {
  /** The last finished pass, if any. */
  last(): ScrubReport | undefined;
  /** When the last pass finished (undefined before the first). */
  lastFinishedAt(): Date | undefined;
  running(): boolean;
  stop(): Promise<void>;
}

export function startBackgroundScrub(
  index: MetadataIndex,
  blobs: BlobStore,
  intervalHours: number,
  rateMiB: number,
  log: Logger,
  keyring?: Keyring,
  /** Whether this server runs the cluster's background work now; a pass is skipped while it is false. */
  isLeader: () => boolean = () => true,
): BackgroundScrub {
  const controller = new AbortController();
  let running: Promise<void> | undefined;
  let last: ScrubReport | undefined;
  let lastFinishedAt: Date | undefined;
  const pass = (): void => {
    if (running || !isLeader()) return;
    running = scrub({ index, blobs, keyring, log, quarantine: true, removeOrphans: false, bytesPerSecond: rateMiB * 1024 * 1024, signal: controller.signal })
      .then((report) => {
        last = report;
        lastFinishedAt = new Date();
        log.info({ objects: report.objects, bytes: report.bytes, damaged: report.findings.length, orphans: report.orphans.length }, 'background scrub finished');
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) log.error({ err }, 'background scrub failed');
      })
      .finally(() => (running = undefined));
  };
  const timer = intervalHours > 0 ? setInterval(pass, intervalHours * 3_600_000) : undefined;
  timer?.unref();
  return {
    last: () => last,
    lastFinishedAt: () => lastFinishedAt,
    running: () => running !== undefined,
    async stop() {
      clearInterval(timer);
      controller.abort();
      await running;
    },
  };
}
