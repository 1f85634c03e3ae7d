// Uploads from the browser through the console API: one PUT for small files, a multipart upload for large ones
// (parts sent in parallel and retried; the upload id is remembered so a reload can resume it). XMLHttpRequest is
// used because fetch reports no upload progress.
import { BASE, csrf } from './api';
import { completeUpload, createUpload, listParts, s3Path } from './s3';

export const PART_SIZE = 8 * 1024 * 1024;
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
const PARALLEL_PARTS = 4;
const ATTEMPTS = 3;

export interface UploadProgress {
  loaded: number;
  total: number;
}

function put(path: string, body: Blob, contentType: string | undefined, onProgress: (loaded: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', BASE + path);
    xhr.setRequestHeader('x-sklad-csrf', csrf());
    if (contentType) xhr.setRequestHeader('content-type', contentType);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader('etag') ?? '');
      else {
        const code = /<Code>([^<]*)<\/Code>/.exec(xhr.responseText)?.[1] ?? `HTTP${xhr.status}`;
        reject(Object.assign(new Error(code), { status: xhr.status, code }));
      }
    };
    xhr.onerror = () => reject(new Error('network error'));
    xhr.send(body);
  });
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (e) {
      // Denials and quota refusals do not get better by trying again.
      const status = (e as { status?: number }).status ?? 0;
      if (i >= ATTEMPTS || (status >= 400 && status < 500)) throw e;
      await new Promise((r) => setTimeout(r, 300 * i));
    }
  }
}

const resumeKey = (bucket: string, key: string, file: File): string => `sklad.upload:${bucket}\n${key}\n${file.size}\n${file.lastModified}`;

export async function uploadFile(bucket: string, key: string, file: File, onProgress: (p: UploadProgress) => void): Promise<void> {
  const type = file.type || 'application/octet-stream';
  if (file.size < MULTIPART_THRESHOLD) {
    await withRetries(() => put(s3Path(bucket, key), file, type, (loaded) => onProgress({ loaded, total: file.size })));
    onProgress({ loaded: file.size, total: file.size });
    return;
  }
  const remembered = resumeKey(bucket, key, file);
  let uploadId = localStorage.getItem(remembered) ?? undefined;
  let done = new Map<number, string>();
  if (uploadId !== undefined) {
    try {
      done = await listParts(bucket, key, uploadId);
    } catch {
      uploadId = undefined;
      done = new Map();
    }
  }
  if (uploadId === undefined) {
    uploadId = await createUpload(bucket, key, type);
    localStorage.setItem(remembered, uploadId);
  }
  const count = Math.ceil(file.size / PART_SIZE);
  const partBytes = (n: number): number => Math.min(PART_SIZE, file.size - (n - 1) * PART_SIZE);
  const inFlight = new Map<number, number>();
  let finished = [...done.keys()].reduce((sum, n) => sum + partBytes(n), 0);
  const report = (): void => onProgress({ loaded: finished + [...inFlight.values()].reduce((a, b) => a + b, 0), total: file.size });
  report();
  const pending = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !done.has(n));
  const id = uploadId;
  const worker = async (): Promise<void> => {
    for (let n = pending.shift(); n !== undefined; n = pending.shift()) {
      const part = n;
      const blob = file.slice((part - 1) * PART_SIZE, (part - 1) * PART_SIZE + partBytes(part));
      const etag = await withRetries(() =>
        put(s3Path(bucket, key, `partNumber=${part}&uploadId=${encodeURIComponent(id)}`), blob, undefined, (loaded) => {
          inFlight.set(part, loaded);
          report();
        }),
      );
      inFlight.delete(part);
      finished += blob.size;
      done.set(part, etag);
      report();
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, pending.length) }, worker));
  await withRetries(() => completeUpload(bucket, key, id, done));
  localStorage.removeItem(remembered);
}

/** Files dropped on the page, folders walked recursively; each with its path relative to what was dropped. */
export async function droppedFiles(items: DataTransferItemList): Promise<{ path: string; file: File }[]> {
  const out: { path: string; file: File }[] = [];
  const walk = async (entry: FileSystemEntry, base: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      out.push({ path: base + entry.name, file });
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries answers in batches until it answers an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child, `${base}${entry.name}/`);
      }
    }
  };
  const entries = [...items].map((i) => i.webkitGetAsEntry()).filter((e): e is FileSystemEntry => e !== null);
  for (const entry of entries) await walk(entry, '');
  return out;
}
