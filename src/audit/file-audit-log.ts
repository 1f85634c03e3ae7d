// The audit log on disk: one writer appends hash-chained JSON lines to DIR/audit.jsonl, rotating it to
// DIR/audit-<timestamp>.jsonl past a size limit.
//
// Durability: `record()` only queues. Queued records are written (in order, one write per batch) as soon
// as the event loop is free, so they reach the OS within microseconds and survive a process crash; the
// file is fdatasync'ed at most every `syncIntervalMs` and on close. A request is therefore never held up by
// an extra fsync, a clean shutdown loses nothing, and a power loss can lose at most the last
// `syncIntervalMs` of records (the restart then continues the chain from the last complete record).
import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, rename } from 'node:fs/promises';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../storage/file-modes.js';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { lockDataFolder, type DataLock } from '../data-folder/lock.js';
import { GENESIS_HASH, recordHash } from './chain.js';
import { CURRENT_FILE, listAuditFiles, readTail, rotatedName } from './files.js';
import type { AuditEvent, AuditLog, AuditRecord } from './types.js';

export interface FileAuditLogOptions {
  dir: string;
  /** The current file is rotated once it reaches this many bytes. */
  maxFileBytes: number;
  /** Longest time a written record may wait for fdatasync. */
  syncIntervalMs: number;
  log: Logger;
  now?: () => Date;
}

interface Queued {
  event: AuditEvent;
  time: string;
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export class FileAuditLog implements AuditLog {
  readonly #options: FileAuditLogOptions;
  readonly #now: () => Date;
  readonly #lock: DataLock;
  #fh: FileHandle;
  #size: number;
  #seq: number;
  #prev: string;
  #lastRotated: string | undefined;
  #queue: Queued[] = [];
  #drainQueued = false;
  /** Every file operation runs on this chain, so writes, syncs and rotations never overlap. */
  #ops: Promise<void> = Promise.resolve();
  #dirty = false;
  #syncTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  private constructor(options: FileAuditLogOptions, lock: DataLock, fh: FileHandle, size: number, last: AuditRecord | undefined, lastRotated: string | undefined) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#lock = lock;
    this.#fh = fh;
    this.#size = size;
    this.#seq = last?.seq ?? 0;
    this.#prev = last?.hash ?? GENESIS_HASH;
    this.#lastRotated = lastRotated;
  }

  /** Opens the folder and continues the chain from the last complete record on disk. */
  static async open(options: FileAuditLogOptions): Promise<FileAuditLog> {
    await mkdir(options.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // One writer per folder, also when two servers with different data folders point at one audit folder.
    const lock = await lockDataFolder(options.dir);
    try {
      const files = await listAuditFiles(options.dir);
      const current = path.join(options.dir, CURRENT_FILE);
      const rotated = files.filter((f) => f !== current);
      const tail = await readTail(current);
      let last = tail.last;
      for (let i = rotated.length - 1; last === undefined && i >= 0; i--) last = (await readTail(rotated[i]!)).last;
      const fh = await open(current, 'a', PRIVATE_FILE_MODE);
      const size = (await fh.stat()).size;
      const auditLog = new FileAuditLog(options, lock, fh, size, last, rotated.length > 0 ? path.basename(rotated[rotated.length - 1]!) : undefined);
      if (tail.needsNewline) await auditLog.#append('\n');
      if (tail.skippedLines > 0) {
        // A crash tore the last write (or the end of the file is damaged): say so in the chain and go on.
        options.log.warn({ file: current, skippedLines: tail.skippedLines, resumeAfterSeq: auditLog.#seq }, 'audit log ends with an incomplete record; continuing the chain from the last complete one');
        await auditLog.#append(auditLog.#seal({
          event: {
            action: 'chain-resume',
            principal: 'system',
            result: 'success',
            details: { skippedLines: tail.skippedLines, skippedBytes: tail.skippedBytes, resumeAfterSeq: auditLog.#seq },
          },
          time: auditLog.#now().toISOString(),
        }));
      }
      return auditLog;
    } catch (e) {
      await lock.release();
      throw e;
    }
  }

  get lastSeq(): number {
    return this.#seq;
  }

  /** Hash of the newest record handed to the file (written, maybe not yet synced). */
  get lastHash(): string {
    return this.#prev;
  }

  record(event: AuditEvent): void {
    if (this.#closing !== undefined) {
      // Nothing may vanish silently: an event after close goes to the process log instead.
      this.#options.log.error({ audit: event }, 'audit event after the audit log was closed');
      return;
    }
    this.#queue.push({ event, time: this.#now().toISOString() });
    if (!this.#drainQueued) {
      this.#drainQueued = true;
      void this.#run(() => this.#drain());
    }
  }

  /** Writes everything queued so far (not necessarily synced). */
  flush(): Promise<void> {
    return this.#run(() => this.#drain());
  }

  /** Starts a new file now (SIGUSR2), whatever the size of the current one. */
  rotate(): Promise<void> {
    return this.#run(async () => {
      await this.#drain();
      if (this.#size > 0) await this.#rotateNow();
    });
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearTimeout(this.#syncTimer);
      await this.#run(async () => {
        await this.#drain();
        await this.#fh.datasync();
        await this.#fh.close();
      });
      await this.#lock.release();
      this.#options.log.info({ dir: this.#options.dir, lastSeq: this.#seq, lastHash: this.#prev }, 'audit log closed');
    })();
    return this.#closing;
  }

  #run(op: () => Promise<void>): Promise<void> {
    const next = this.#ops.then(op).catch((err: unknown) => {
      this.#options.log.error({ err, dir: this.#options.dir }, 'audit log write failed');
    });
    this.#ops = next;
    return next;
  }

  /** Gives the event its place in the chain. Only the writer calls this, so seq and prev follow file order. */
  #seal({ event, time }: Queued): string {
    const record: Omit<AuditRecord, 'hash'> = {
      seq: this.#seq + 1,
      time,
      requestId: event.requestId,
      principal: event.principal,
      sourceIp: event.sourceIp,
      userAgent: event.userAgent,
      action: event.action,
      bucket: event.bucket,
      key: event.key,
      target: event.target,
      status: event.status,
      result: event.result,
      errorCode: event.errorCode,
      details: event.details,
      prev: this.#prev,
    };
    const hash = recordHash(record);
    this.#seq = record.seq;
    this.#prev = hash;
    return JSON.stringify({ ...record, hash }) + '\n';
  }

  async #drain(): Promise<void> {
    this.#drainQueued = false;
    if (this.#queue.length === 0) return;
    const batch = this.#queue.splice(0);
    const text = batch.map((q) => this.#seal(q)).join('');
    try {
      await this.#append(text);
    } catch (err) {
      // The chain has moved on, so `verify` will show the gap; the records themselves go to the process log.
      this.#options.log.error({ err, lost: text }, 'audit records could not be written');
      return;
    }
    if (this.#size >= this.#options.maxFileBytes) await this.#rotateNow();
  }

  async #append(text: string): Promise<void> {
    await this.#fh.write(text);
    this.#size += Buffer.byteLength(text);
    this.#dirty = true;
    if (this.#syncTimer === undefined && this.#closing === undefined) {
      this.#syncTimer = setTimeout(() => {
        this.#syncTimer = undefined;
        void this.#run(() => this.#sync());
      }, this.#options.syncIntervalMs);
      this.#syncTimer.unref();
    }
  }

  async #sync(): Promise<void> {
    if (!this.#dirty || this.#closing !== undefined) return;
    this.#dirty = false;
    await this.#fh.datasync();
  }

  /** A rotated name later than every earlier one, even if the clock stepped back. */
  #nextRotatedName(): string {
    let at = this.#now();
    let name = rotatedName(at);
    while ((this.#lastRotated !== undefined && name <= this.#lastRotated) || existsSync(path.join(this.#options.dir, name))) {
      at = new Date(Math.max(at.getTime(), this.#lastRotatedTime()) + 1);
      name = rotatedName(at);
    }
    return name;
  }

  #lastRotatedTime(): number {
    const m = this.#lastRotated === undefined ? null : /^audit-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z/.exec(this.#lastRotated);
    return m === null ? 0 : Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
  }

  async #rotateNow(): Promise<void> {
    const dir = this.#options.dir;
    const name = this.#nextRotatedName();
    await this.#fh.datasync();
    await this.#fh.close();
    await rename(path.join(dir, CURRENT_FILE), path.join(dir, name));
    this.#fh = await open(path.join(dir, CURRENT_FILE), 'a', PRIVATE_FILE_MODE);
    await syncDirectory(dir);
    this.#size = 0;
    this.#dirty = false;
    this.#lastRotated = name;
    // The hash that closes a file, in the process log too: shipped elsewhere, it lets `verify` detect a
    // rotated file that was truncated or removed later.
    this.#options.log.info({ file: path.join(dir, name), lastSeq: this.#seq, lastHash: this.#prev }, 'audit log rotated');
    await this.#append(this.#seal({
      event: { action: 'audit-rotate', principal: 'system', result: 'success', details: { previousFile: name, previousLastSeq: this.#seq } },
      time: this.#now().toISOString(),
    }));
  }
}
