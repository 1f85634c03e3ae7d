// One step of a master-key re-wrap over the SQLite index: current objects, then noncurrent versions, then open
// uploads, each in primary-key order from an opaque cursor. Runs inside one write unit of the group commit.
import { S3Error } from '../../errors/s3-error.js';
import type { ObjectEncryption, RewrapStep, WrappedDataKey } from '../metadata-index.js';
import type { Statements } from './statements.js';

type Cursor = ['objects', string, string] | ['versions', string, string, string] | ['uploads', string];

const START: Cursor = ['objects', '', ''];

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function isStrings(values: unknown[], count: number): boolean {
  return values.length === count && values.every((v) => typeof v === 'string');
}

function decodeCursor(text: string): Cursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (Array.isArray(value)) {
    const [table, ...rest] = value as unknown[];
    if ((table === 'objects' && isStrings(rest, 2)) || (table === 'versions' && isStrings(rest, 3)) || (table === 'uploads' && isStrings(rest, 1))) {
      return value as Cursor;
    }
  }
  throw new S3Error('InvalidArgument', { message: 'The re-wrap cursor is not one this server gave out.' });
}

/** The re-wrapped encryption column, or undefined when the row holds no SSE-S3 key or `rewrap` leaves it. */
function rewrapped(column: string | null, rewrap: (wrapped: WrappedDataKey) => WrappedDataKey | undefined): string | undefined {
  if (column === null) return undefined;
  const encryption = JSON.parse(column) as ObjectEncryption;
  if (encryption.mode !== 'SSE-S3') return undefined;
  const next = rewrap({ keyId: encryption.keyId, wrappedKey: encryption.wrappedKey });
  return next === undefined ? undefined : JSON.stringify({ mode: 'SSE-S3', keyId: next.keyId, wrappedKey: next.wrappedKey });
}

export function rewrapStep(
  s: Statements,
  after: string | undefined,
  limit: number,
  rewrap: (wrapped: WrappedDataKey) => WrappedDataKey | undefined,
): RewrapStep {
  let cursor = after === undefined ? START : decodeCursor(after);
  let room = Math.max(1, Math.floor(limit));
  const step: RewrapStep = { scanned: 0, rewrapped: 0 };
  // Each table in turn; a full page leaves the cursor on its last row, a short one moves to the next table.
  for (;;) {
    let rows: number;
    if (cursor[0] === 'objects') {
      const page = s.sseObjectsAfter.all(cursor[1], cursor[2], room);
      for (const row of page) {
        const column = rewrapped(row.encryption, rewrap);
        if (column !== undefined && s.setObjectEncryption.run(column, row.bucket, row.key, row.encryption!).changes > 0) step.rewrapped++;
        cursor = ['objects', row.bucket, row.key];
      }
      rows = page.length;
      if (rows < room) cursor = ['versions', '', '', ''];
    } else if (cursor[0] === 'versions') {
      const page = s.sseVersionsAfter.all(cursor[1], cursor[2], cursor[3], room);
      for (const row of page) {
        const column = rewrapped(row.encryption, rewrap);
        if (column !== undefined && s.setVersionEncryption.run(column, row.bucket, row.key, row.version_id, row.encryption!).changes > 0) step.rewrapped++;
        cursor = ['versions', row.bucket, row.key, row.version_id];
      }
      rows = page.length;
      if (rows < room) cursor = ['uploads', ''];
    } else {
      const page = s.sseUploadsAfter.all(cursor[1], room);
      for (const row of page) {
        const column = rewrapped(row.encryption, rewrap);
        if (column !== undefined && s.setUploadEncryption.run(column, row.upload_id, row.encryption!).changes > 0) step.rewrapped++;
        cursor = ['uploads', row.upload_id];
      }
      step.scanned += page.length;
      if (page.length < room) return step;
      return { ...step, next: encodeCursor(cursor) };
    }
    step.scanned += rows;
    room -= rows;
    if (room === 0) return { ...step, next: encodeCursor(cursor) };
  }
}
