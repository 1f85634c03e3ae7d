// POST /backup: an online, consistent backup of the data folder into a folder on the server (see src/backup.ts).
import { BackupTargetError } from '../../data-folder/backup.js';
import { AdminError, invalidInput } from '../errors.js';
import { parseJsonObject, requiredString } from '../input.js';
import { ok, type AdminCall, type AdminResult } from '../route.js';

export async function createBackup({ deps, body }: AdminCall): Promise<AdminResult> {
  if (deps.backup === undefined) throw new AdminError(501, 'NotImplemented', 'This server offers no online backup.');
  const destination = requiredString(parseJsonObject(body, ['destination']), 'destination');
  try {
    const report = await deps.backup(destination);
    return ok(report, { destination, blobs: report.blobs });
  } catch (e) {
    if (e instanceof BackupTargetError) throw invalidInput(e.message);
    throw e;
  }
}
