// One server per data folder: a lock file holding the owner's pid. A lock left by a process that no
// longer runs (a crash, a kill) is taken over.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from '../storage/file-modes.js';

export class DataFolderBusyError extends Error {}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of a live process holding the folder, if any. */
export async function lockHolder(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, 'sklad.lock'), 'utf8').catch(() => undefined);
  const pid = Number(text);
  return text !== undefined && Number.isInteger(pid) && pid > 0 && isRunning(pid) ? pid : undefined;
}

export interface DataLock {
  release(): Promise<void>;
}

export async function lockDataFolder(dataDir: string): Promise<DataLock> {
  const file = path.join(dataDir, 'sklad.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: PRIVATE_FILE_MODE });
      return { release: () => rm(file, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = await lockHolder(dataDir);
      if (holder !== undefined) throw new DataFolderBusyError(`${dataDir} is in use by another sklad process (pid ${holder})`);
      await rm(file, { force: true });
    }
  }
  throw new DataFolderBusyError(`could not lock ${dataDir}`);
}
