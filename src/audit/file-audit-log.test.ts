import { appendFile, mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH } from './chain.js';
import { FileAuditLog } from './file-audit-log.js';
import { CURRENT_FILE, listAuditFiles } from './files.js';
import type { AuditEvent, AuditRecord } from './types.js';
import { verifyAuditFiles } from './verify.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'sklad-audit-'));
  dirs.push(d);
  return d;
}

const silent = pino({ level: 'silent' });
const event = (i: number): AuditEvent => ({
  action: 'PutObject',
  principal: { user: 'root', accessKeyId: 'AK' },
  bucket: 'b',
  key: `k${i}`,
  status: 200,
  result: 'success',
});

async function writeLog(dir: string, count: number, maxFileBytes = 1 << 20): Promise<void> {
  const log = await FileAuditLog.open({ dir, maxFileBytes, syncIntervalMs: 10, log: silent });
  for (let i = 0; i < count; i++) log.record(event(i));
  await log.close();
}

const current = (dir: string): string => path.join(dir, CURRENT_FILE);
const lines = async (file: string): Promise<string[]> => (await readFile(file, 'utf8')).split('\n').filter(Boolean);
const verifyDir = async (dir: string) => verifyAuditFiles(await listAuditFiles(dir));

describe('file audit log', () => {
  it('appends hash-chained records that continue across restarts', async () => {
    const dir = await tempDir();
    await writeLog(dir, 3);
    await writeLog(dir, 2);
    const records = (await lines(current(dir))).map((l) => JSON.parse(l) as AuditRecord);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]!.prev).toBe(GENESIS_HASH);
    for (let i = 1; i < records.length; i++) expect(records[i]!.prev).toBe(records[i - 1]!.hash);
    expect(records[3]).toMatchObject({ key: 'k0', principal: { user: 'root', accessKeyId: 'AK' }, result: 'success' });
    expect(await verifyDir(dir)).toMatchObject({ ok: true, records: 5, lastSeq: 5, lastHash: records[4]!.hash, warnings: [] });
  });

  it('refuses a second writer on the same folder', async () => {
    const dir = await tempDir();
    const first = await FileAuditLog.open({ dir, maxFileBytes: 1 << 20, syncIntervalMs: 10, log: silent });
    await expect(FileAuditLog.open({ dir, maxFileBytes: 1 << 20, syncIntervalMs: 10, log: silent })).rejects.toThrow(/in use/);
    await first.close();
  });

  it('rotates past the size limit and on request, keeping one chain across files', async () => {
    const dir = await tempDir();
    const log = await FileAuditLog.open({ dir, maxFileBytes: 1500, syncIntervalMs: 10, log: silent });
    for (let i = 0; i < 20; i++) {
      log.record(event(i));
      await log.flush(); // one batch per record, so the size check runs between records
    }
    await log.rotate();
    log.record(event(99));
    await log.close();
    const files = await listAuditFiles(dir);
    expect(files.length).toBeGreaterThan(3);
    expect(path.basename(files[files.length - 1]!)).toBe(CURRENT_FILE);
    const first = JSON.parse((await lines(files[1]!))[0]!) as AuditRecord;
    expect(first).toMatchObject({ action: 'audit-rotate', principal: 'system', details: { previousFile: path.basename(files[0]!) } });
    const report = await verifyDir(dir);
    expect(report).toMatchObject({ ok: true, warnings: [] });
    expect(report.records).toBeGreaterThan(20);
  });

  it('resumes after a torn last line with a chain-resume note, which verify reports as a warning only', async () => {
    const dir = await tempDir();
    await writeLog(dir, 3);
    await appendFile(current(dir), '{"seq":4,"time":"2025-'); // a write cut by a crash
    expect((await verifyDir(dir)).warnings[0]).toMatchObject({ line: 4, message: expect.stringMatching(/incomplete/) });
    await writeLog(dir, 1);
    const all = await lines(current(dir));
    expect(JSON.parse(all[4]!)).toMatchObject({ seq: 4, action: 'chain-resume', details: { skippedLines: 1, resumeAfterSeq: 3 } });
    const report = await verifyDir(dir);
    expect(report).toMatchObject({ ok: true, records: 5 });
    expect(report.warnings).toEqual([expect.objectContaining({ line: 4, message: expect.stringMatching(/torn by a crash/) })]);
  });
});

describe('audit verify', () => {
  async function tampered(change: (lines: string[]) => string[]): Promise<Awaited<ReturnType<typeof verifyDir>>> {
    const dir = await tempDir();
    await writeLog(dir, 6);
    await writeFile(current(dir), change(await lines(current(dir))).join('\n') + '\n');
    return verifyDir(dir);
  }

  it('names an edited record', async () => {
    const report = await tampered((l) => l.map((x, i) => (i === 2 ? x.replace('"k2"', '"k2-forged"') : x)));
    expect(report).toMatchObject({ ok: false, error: { line: 3, seq: 3, message: expect.stringMatching(/altered/) } });
  });

  it('names a record rewritten with a fresh hash by the broken link after it', async () => {
    const { recordHash } = await import('./chain.js');
    const report = await tampered((l) =>
      l.map((x, i) => {
        if (i !== 2) return x;
        const r = JSON.parse(x) as AuditRecord;
        r.key = 'forged';
        return JSON.stringify({ ...r, hash: recordHash(r) });
      }),
    );
    expect(report).toMatchObject({ ok: false, error: { line: 4, seq: 4, message: expect.stringMatching(/broken link.*seq 3/) } });
  });

  it('names a deleted record', async () => {
    const report = await tampered((l) => l.filter((_, i) => i !== 3));
    expect(report).toMatchObject({ ok: false, error: { line: 4, seq: 5, message: expect.stringMatching(/1 record\(s\) missing.*deleted/) } });
  });

  it('names swapped records', async () => {
    const report = await tampered((l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)]);
    expect(report).toMatchObject({ ok: false, error: { line: 2, seq: 3, message: expect.stringMatching(/out of order.*seq 2 is at audit.jsonl:3/) } });
  });

  it('names an unreadable line that no crash explains', async () => {
    const report = await tampered((l) => l.map((x, i) => (i === 1 ? x.slice(0, 20) : x)));
    expect(report).toMatchObject({ ok: false, error: { line: 2, message: expect.stringMatching(/not a valid audit record/) } });
  });

  it('detects a rotated file removed from the middle, and warns when the oldest are gone', async () => {
    const dir = await tempDir();
    const log = await FileAuditLog.open({ dir, maxFileBytes: 1200, syncIntervalMs: 10, log: silent });
    for (let i = 0; i < 15; i++) {
      log.record(event(i));
      await log.flush();
    }
    await log.close();
    const files = await listAuditFiles(dir);
    expect(files.length).toBeGreaterThanOrEqual(4);
    expect((await verifyDir(dir)).ok).toBe(true);

    await unlink(files[0]!); // retention: the chain's start is gone, which verify cannot tell from deletion
    const pruned = await verifyDir(dir);
    expect(pruned).toMatchObject({ ok: true });
    expect(pruned.warnings[0]!.message).toMatch(/chain starts at seq \d+.*names audit-/);

    await unlink(files[2]!);
    const broken = await verifyDir(dir);
    expect(broken).toMatchObject({ ok: false, error: { file: files[3], line: 1, message: expect.stringMatching(/missing.*rotated file was removed/) } });
  });

  it('detects records cut off the end only against a hash kept elsewhere', async () => {
    const dir = await tempDir();
    await writeLog(dir, 5);
    const all = await lines(current(dir));
    const lastHash = (JSON.parse(all[4]!) as AuditRecord).hash;
    expect(await verifyAuditFiles([current(dir)], { expectHash: lastHash })).toMatchObject({ ok: true });
    await writeFile(current(dir), all.slice(0, 3).join('\n') + '\n');
    expect(await verifyDir(dir)).toMatchObject({ ok: true, records: 3 });
    expect(await verifyAuditFiles([current(dir)], { expectHash: lastHash })).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not in the chain/) } });
  });

  it('ignores other files in the folder', async () => {
    const dir = await tempDir();
    await writeLog(dir, 1);
    await writeFile(path.join(dir, 'notes.txt'), 'x');
    expect((await readdir(dir)).sort()).toContain('notes.txt');
    expect(await listAuditFiles(dir)).toEqual([current(dir)]);
  });
});
