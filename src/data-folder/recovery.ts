// Start-up recovery after any stop, clean or not: removes temporary files of interrupted writes and
// blobs that no record references (written but never committed, or superseded but not yet deleted).
// Runs before the server accepts requests, so none of this server's writes can be in flight. Gateways
// sharing a blob store are another matter: each sweeps only its own temporary folder, and with
// `orphanGraceMs` an unreferenced blob younger than that is spared, since another gateway may have
// finished writing it and not yet committed the record that references it.
import type { Logger } from 'pino';
import type { BlobStore } from '../storage/blob-store.js';
import { pagesOf } from '../storage/id-pages.js';
import type { MetadataIndex } from '../storage/metadata-index.js';

export interface RecoveryReport {
  temporaryFiles: number;
  orphanBlobs: number;
}

export interface RecoveryOptions {
  /** Spare unreferenced blobs written less than this long ago (0: remove every unreferenced blob). */
  orphanGraceMs?: number;
}

export async function recoverStorage(index: MetadataIndex, blobs: BlobStore, log: Logger, options: RecoveryOptions = {}): Promise<RecoveryReport> {
  const temporaryFiles = await blobs.sweepTemporary();
  const grace = options.orphanGraceMs ?? 0;
  let orphanBlobs = 0;
  for await (const page of pagesOf(blobs.ids())) {
    for (const id of await index.unreferencedBlobs(page)) {
      if (grace > 0) {
        // A blob whose age cannot be told is kept: it may be in use.
        const writtenAt = await blobs.writtenAt?.(id);
        if (writtenAt === undefined || Date.now() - writtenAt.getTime() < grace) continue;
        // Checked again: a record may have been committed meanwhile by another gateway.
        if (await index.isBlobReferenced(id)) continue;
      }
      await blobs.delete(id);
      orphanBlobs++;
    }
  }
  if (temporaryFiles > 0 || orphanBlobs > 0) log.info({ temporaryFiles, orphanBlobs }, 'recovered storage after an interrupted run');
  return { temporaryFiles, orphanBlobs };
}
