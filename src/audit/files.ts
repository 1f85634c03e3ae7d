// Where the audit records live: the current file `audit.jsonl` and rotated files `audit-<timestamp>.jsonl`,
// whose names sort in the order they were written. Also finds the last complete record to continue from.
import { existsSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isHash, recordHash } from './chain.js';
import type { AuditRecord } from './types.js';

export const CURRENT_FILE = 'audit.jsonl';
const ROTATED = /^audit-\d{8}T\d{9}Z\.jsonl$/;

/** `audit-20250102T030405678Z.jsonl`: fixed width, so name order is time order. */
export function rotatedName(at: Date): string {
  const stamp = at.toISOString().replace(/[-:.]/g, '');
  return `audit-${stamp}.jsonl`;
}

export function isAuditFileName(name: string): boolean {
  return name === CURRENT_FILE || ROTATED.test(name);
}

/** Orders audit file paths as they were written: rotated files by name, the current file last. */
export function orderAuditFiles(files: string[]): string[] {
  const rank = (f: string): string => (path.basename(f) === CURRENT_FILE ? '\uffff' : path.basename(f));
  return [...files].sort((a, b) => (rank(a) < rank(b) ? -1 : rank(a) > rank(b) ? 1 : 0));
}

/** The audit files of a folder, oldest first (other files in the folder are ignored). */
export async function listAuditFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [] as string[];
    throw e;
  });
  return orderAuditFiles(names.filter(isAuditFileName).map((n) => path.join(dir, n)));
}

/** A parsed line that is a structurally valid record whose hash matches its content. */
export function parseRecord(line: string): AuditRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const r = value as AuditRecord;
  if (!Number.isSafeInteger(r.seq) || !isHash(r.prev) || !isHash(r.hash)) return undefined;
  return recordHash(r) === r.hash ? r : undefined;
}

export interface FileTail {
  /** The last record of the file that is complete and hashes correctly. */
  last?: AuditRecord;
  /** Lines after that record that are not valid records (a write torn by a crash, or damage). */
  skippedLines: number;
  skippedBytes: number;
  /** The file does not end with a newline, so the next write must start one. */
  needsNewline: boolean;
}

/** Yields a file's lines from the last to the first, reading backwards in chunks (a start reads little of a 64 MiB file). */
async function* linesBackward(file: string): AsyncGenerator<string> {
  const fh = await open(file, 'r');
  try {
    let pos = (await fh.stat()).size;
    let carry = Buffer.alloc(0);
    while (pos > 0) {
      const len = Math.min(64 * 1024, pos);
      pos -= len;
      const chunk = Buffer.alloc(len);
      await fh.read(chunk, 0, len, pos);
      let buf = Buffer.concat([chunk, carry]);
      for (let nl = buf.lastIndexOf(0x0a); nl !== -1; nl = buf.lastIndexOf(0x0a)) {
        yield buf.subarray(nl + 1).toString('utf8');
        buf = buf.subarray(0, nl);
      }
      carry = buf;
    }
    yield carry.toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Finds the last valid record of a file and what follows it. */
export async function readTail(file: string): Promise<FileTail> {
  const tail: FileTail = { skippedLines: 0, skippedBytes: 0, needsNewline: false };
  if (!existsSync(file)) return tail;
  let first = true;
  for await (const line of linesBackward(file)) {
    // The first segment is what follows the last newline: empty when the file ends cleanly.
    const terminated = !first;
    if (first) tail.needsNewline = line.length > 0;
    first = false;
    if (line.length === 0) continue;
    const record = parseRecord(line);
    if (record !== undefined) return { ...tail, last: record };
    tail.skippedLines += 1;
    tail.skippedBytes += Buffer.byteLength(line) + (terminated ? 1 : 0);
  }
  return tail;
}
