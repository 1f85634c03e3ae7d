// The modes of everything sklad creates under its data folder (and the audit folder): the owner only, whatever
// the process umask. A mode given at creation is masked by the umask, never widened, so these hold exactly
// under the usual umasks and stay private under unusual ones.
import { closeSync, openSync } from 'node:fs';

/** Folders: rwx for the owner, nothing for group and others. */
export const PRIVATE_DIR_MODE = 0o700;
/** Files: rw for the owner, nothing for group and others (index, WAL, blobs, audit, credentials, master key). */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `file` empty with PRIVATE_FILE_MODE unless it exists. For files another library creates with its own
 * default mode (SQLite's database and backup files: 0644 less the umask); SQLite gives the -wal and -shm files
 * the mode of their database, so they follow.
 */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
}
