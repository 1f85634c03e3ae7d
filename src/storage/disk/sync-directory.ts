// fsync of a directory, which makes the entries created or renamed in it durable.
import { open } from 'node:fs/promises';

export async function syncDirectory(path: string): Promise<void> {
  // Windows cannot open a directory for syncing; NTFS journals its metadata itself.
  if (process.platform === 'win32') return;
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
