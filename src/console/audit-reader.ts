// The audit log as the console shows it: the newest records that match a filter, read line by line from the newest
// file backwards through rotated ones, and the chain check of `sklad audit verify` over all files.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { listAuditFiles, parseRecord } from '../audit/files.js';
import type { AuditRecord } from '../audit/types.js';
import { verifyAuditFiles } from '../audit/verify.js';
import type { AuditChainView, AuditFilter } from './wire.js';

function matches(r: AuditRecord, f: AuditFilter): boolean {
  if (f.action && !r.action.toLowerCase().includes(f.action.toLowerCase())) return false;
  if (f.result && r.result !== f.result) return false;
  if (f.bucket && r.bucket !== f.bucket) return false;
  if (f.user) {
    const who = typeof r.principal === 'object' ? r.principal.user : r.principal;
    if (who !== f.user) return false;
  }
  return true;
}

/** The newest `limit` records matching `filter`, newest first. */
export async function recentAuditRecords(dir: string, filter: AuditFilter, limit: number): Promise<AuditRecord[]> {
  const files = (await listAuditFiles(dir)).reverse();
  const found: AuditRecord[] = [];
  for (const file of files) {
    // Within a file, keep the last `limit` matches in order; earlier files only fill what is still missing.
    const inFile: AuditRecord[] = [];
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        const record = parseRecord(line);
        if (record === undefined || !matches(record, filter)) continue;
        inFile.push(record);
        if (inFile.length > limit) inFile.shift();
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    found.push(...inFile.reverse());
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

export async function verifyChain(dir: string): Promise<AuditChainView> {
  const report = await verifyAuditFiles(await listAuditFiles(dir));
  const where = (p: { file: string; line: number; seq?: number; message: string }) => ({ ...p, file: path.basename(p.file) });
  return {
    ok: report.ok,
    files: report.files.length,
    records: report.records,
    lastSeq: report.lastSeq,
    lastHash: report.lastHash,
    warnings: report.warnings.map(where),
    error: report.error && where(report.error),
  };
}
