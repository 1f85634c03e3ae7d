// Start-up recovery after any stop, clean or not: removes temporary files of interrupted writes and
// blobs that no record references (written but never committed, or superseded but not yet deleted).
// Runs before the server accepts requests, so no write can be in flight.
import type { Logger } from 'pino';
import type { BlobStore } from '../storage/blob-store.js';
import type { MetadataIndex } from '../storage/metadata-index.js';

export interface RecoveryReport {
  temporaryFiles: number;
  orphanBlobs: number;
}

export async function recoverStorage(index: MetadataIndex, blobs: BlobStore, log: Logger): Promise<RecoveryReport> {
  const temporaryFiles = await blobs.sweepTemporary();
  let orphanBlobs = 0;
  for await (const id of blobs.ids()) {
    if (await index.isBlobReferenced(id)) continue;
    await blobs.delete(id);
    orphanBlobs++;
  }
  if (temporaryFiles > 0 || orphanBlobs > 0) log.info({ temporaryFiles, orphanBlobs }, 'recovered storage after an interrupted run');
  return { temporaryFiles, orphanBlobs };
}
