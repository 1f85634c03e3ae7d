// `sklad scrub`: verifies every stored object of a data folder, optionally repairing what it can.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { ConfigError } from '../config/config.js';
import { loadConfig } from '../config/load-config.js';
import { loadKeyring, MasterKeyError } from '../crypto/master-key.js';
import { lockHolder } from '../data-folder/lock.js';
import { scrub } from '../integrity/scrub.js';
import { DiskBlobStore } from '../storage/disk/disk-blob-store.js';
import { InlineBlobStore } from '../storage/inline-blob-store.js';
import { SqliteMetadataIndex } from '../storage/sqlite/sqlite-metadata-index.js';

const scrubHelp = `Usage: sklad scrub [--data DIR] [--master-key-file FILE] [--repair] [--json]

Re-reads every object in the data folder and checks its bytes against the MD5 and checksum recorded when
it was written; reports damaged objects, objects whose bytes are missing, and blobs no object references.
SSE-S3 objects are decrypted with the master key (as 'sklad serve' finds it). SSE-C objects cannot be
decrypted without their customer's key: only the presence and size of their stored bytes are checked.

Options:
  --data DIR    data folder (SKLAD_DATA, default ./data)
  --master-key-file FILE  master key file, when not DIR/master.key (or SKLAD_MASTER_KEY)
  --repair      quarantine damaged objects (reads then answer InvalidObjectState instead of wrong bytes)
                and delete unreferenced blobs; refused while a server is using the data folder
  --json        print the report as JSON
  -h, --help    show this help

Exit status: 0 when everything verified, 1 when damage was found, 2 on usage errors.
The server also scrubs in the background (see --scrub-interval-hours in 'sklad serve --help').
`;

export async function scrubCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      'master-key-file': { type: 'string' },
      repair: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(scrubHelp);
    return 0;
  }
  const dataDir = path.resolve(values.data ?? process.env.SKLAD_DATA ?? 'data');
  if (!existsSync(path.join(dataDir, 'index.sqlite'))) throw new ConfigError(`no sklad data folder at ${dataDir}`);
  const holder = await lockHolder(dataDir);
  if (values.repair && holder !== undefined) {
    throw new ConfigError(`a server (pid ${holder}) is using ${dataDir}: stop it before 'scrub --repair' (the server scrubs in the background)`);
  }
  const keys = loadConfig({ data: dataDir, 'master-key-file': values['master-key-file'] }, process.env);
  const keyring = await loadKeyring({ ...keys, dataDir, generate: false }).then(
    (loaded) => loaded.keyring,
    (e: unknown) => {
      // A data folder that never had a key holds no SSE-S3 object; any other failure is the operator's to fix.
      if (keys.masterKey === undefined && keys.masterKeyFile === undefined && e instanceof MasterKeyError && /ENOENT/.test(e.message)) return undefined;
      throw e instanceof MasterKeyError ? new ConfigError(e.message) : e;
    },
  );
  const index = SqliteMetadataIndex.open(path.join(dataDir, 'index.sqlite'));
  try {
    const blobs = new InlineBlobStore(await DiskBlobStore.open(dataDir), index.inlineBlobs());
    const log = pino({ level: 'silent' });
    const report = await scrub({ index, blobs, keyring, log, quarantine: values.repair ?? false, removeOrphans: values.repair ?? false });
    if (values.json) {
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    } else {
      process.stdout.write(`scrubbed ${report.objects} objects, ${report.bytes} bytes\n`);
      for (const f of report.findings) process.stdout.write(`${f.problem}: ${f.bucket}/${f.key}: ${f.detail}\n`);
      process.stdout.write(`${report.findings.length} damaged, ${report.orphans.length} unreferenced blobs\n`);
      if (report.contentUnverified > 0) {
        process.stdout.write(`${report.contentUnverified} encrypted objects checked for presence and size only (no key to decrypt them)\n`);
      }
      if (values.repair) process.stdout.write(`quarantined ${report.quarantined}, released ${report.released}, removed ${report.orphansRemoved} unreferenced blobs\n`);
    }
    return report.findings.length > 0 ? 1 : 0;
  } finally {
    await index.close();
  }
}
