// Re-checks a chain of audit files: every record's hash against its content, every `prev` against the
// record before it (across files too), and `seq` without gaps. Reports the first break and what it means.
//
// What a chain can show: an edited record, a deleted or inserted record, reordered records, a rotated
// file removed from the middle. What it cannot show on its own: records cut off the end of the newest
// file, or the oldest files removed, because what remains is still a valid chain. Checking against a last
// hash kept elsewhere (`expectHash`) closes that gap.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GENESIS_HASH, isHash, recordHash } from './chain.js';
import type { AuditRecord } from './types.js';

export interface VerifyProblem {
  file: string;
  /** 1-based line number in `file`. */
  line: number;
  seq?: number;
  message: string;
}

export interface VerifyReport {
  ok: boolean;
  files: string[];
  records: number;
  firstSeq?: number;
  lastSeq?: number;
  lastHash?: string;
  /** Not tampering: a write torn by a crash, or a chain whose start was removed by retention. */
  warnings: VerifyProblem[];
  /** The first break in the chain. */
  error?: VerifyProblem;
}

export interface VerifyOptions {
  /** A hash shipped elsewhere (e.g. from the 'audit log rotated' log line): it must be in the chain. */
  expectHash?: string;
}

interface Line {
  file: string;
  line: number;
  text: string;
  /** The line has no newline after it (the end of a file). */
  unterminated: boolean;
}

/** A line that parses as JSON with the fields a record needs; its hash is not checked yet. */
function shaped(text: string): AuditRecord | undefined {
  try {
    const value = JSON.parse(text) as AuditRecord;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return Number.isSafeInteger(value.seq) && isHash(value.prev) && isHash(value.hash) ? value : undefined;
  } catch {
    return undefined;
  }
}

async function* allLines(files: string[]): AsyncGenerator<Line> {
  // One file at a time: rotation bounds a file's size, so memory stays bounded too.
  for (const file of files) {
    const parts = (await readFile(file, 'utf8')).split('\n');
    const last = parts.length - 1;
    for (let i = 0; i < parts.length; i++) {
      if (i === last && parts[i] === '') break; // the file ended with a newline
      yield { file, line: i + 1, text: parts[i]!, unterminated: i === last };
    }
  }
}

/** Where (if anywhere) a record with this seq sits, to tell reordered records from deleted ones. */
async function findSeq(files: string[], seq: number): Promise<Line | undefined> {
  for await (const l of allLines(files)) if (shaped(l.text)?.seq === seq) return l;
  return undefined;
}

const where = (l: Line): string => `${path.basename(l.file)}:${l.line}`;

export async function verifyAuditFiles(files: string[], options: VerifyOptions = {}): Promise<VerifyReport> {
  const report: VerifyReport = { ok: true, files, records: 0, warnings: [] };
  let previous: { record: AuditRecord; line: Line } | undefined;
  let bad: Line[] = []; // unreadable lines not yet explained by a chain-resume note
  let expectedFound = options.expectHash === undefined;
  const fail = (l: Line, message: string, seq?: number): VerifyReport => ({ ...report, ok: false, error: { file: l.file, line: l.line, seq, message } });

  for await (const l of allLines(files)) {
    const record = shaped(l.text);
    if (record === undefined) {
      bad.push(l);
      continue;
    }
    if (recordHash(record) !== record.hash) {
      return fail(l, `record seq ${record.seq} was altered: its hash does not match its content`, record.seq);
    }
    if (bad.length > 0) {
      if (record.action !== 'chain-resume') return fail(bad[0]!, 'not a valid audit record (edited or damaged)');
      for (const b of bad) {
        report.warnings.push({ file: b.file, line: b.line, message: `incomplete record (a write torn by a crash); the chain resumes at ${where(l)}` });
      }
      bad = [];
    }
    if (previous === undefined) {
      if (record.seq !== 1 || record.prev !== GENESIS_HASH) {
        const earlier = typeof record.details?.previousFile === 'string' ? ` (the first record names ${record.details.previousFile} before it)` : '';
        report.warnings.push({
          file: l.file,
          line: l.line,
          seq: record.seq,
          message: `the chain starts at seq ${record.seq}: earlier records are not in the files checked${earlier}; removed by retention, or deleted`,
        });
      }
    } else {
      const expected = previous.record.seq + 1;
      const boundary = previous.line.file !== l.file ? ` (between ${path.basename(previous.line.file)} and ${path.basename(l.file)})` : '';
      if (record.seq > expected) {
        const moved = await findSeq(files, expected);
        if (moved !== undefined) {
          return fail(l, `records out of order: seq ${record.seq} follows seq ${previous.record.seq}, and seq ${expected} is at ${where(moved)}${boundary}`, record.seq);
        }
        const missing = record.seq - expected;
        const what = boundary ? `a rotated file was removed or records were deleted${boundary}` : 'records were deleted';
        return fail(l, `${missing} record(s) missing before seq ${record.seq} (expected seq ${expected}): ${what}`, record.seq);
      }
      if (record.seq < expected) {
        return fail(l, `records out of order: seq ${record.seq} follows seq ${previous.record.seq} (reordered or repeated)${boundary}`, record.seq);
      }
      if (record.prev !== previous.record.hash) {
        return fail(l, `broken link: prev does not match the hash of seq ${previous.record.seq} at ${where(previous.line)}; one of the two was rewritten${boundary}`, record.seq);
      }
    }
    if (record.hash === options.expectHash) expectedFound = true;
    report.records += 1;
    report.firstSeq ??= record.seq;
    report.lastSeq = record.seq;
    report.lastHash = record.hash;
    previous = { record, line: l };
  }

  if (bad.length > 0) {
    // Only the very end of the newest file may be torn: a crash before the server started again.
    const last = bad[bad.length - 1]!;
    if (bad.length === 1 && last.unterminated && last.file === files[files.length - 1]) {
      report.warnings.push({ file: last.file, line: last.line, message: 'the last line is incomplete (a write torn by a crash, or the file was cut)' });
    } else {
      return fail(bad[0]!, 'not a valid audit record (edited or damaged)');
    }
  }
  if (!expectedFound) {
    const l = previous?.line ?? { file: files[files.length - 1] ?? '', line: 0, text: '', unterminated: false };
    return fail(l, `the expected hash ${options.expectHash} is not in the chain: records were cut off the end, or rewritten`);
  }
  return report;
}
