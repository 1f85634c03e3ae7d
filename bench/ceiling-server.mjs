// The benchmark's ceiling: the least a durable S3-style server on Node must do, with nothing else.
// No authentication, no metadata database, no checksums beyond the MD5 ETag. PUT streams the body into a
// temp file while hashing it, fsyncs the file and renames it into place; GET/HEAD serve the file with fs
// streams; DELETE unlinks. Multipart: each part is written like a PUT; Complete durably renames the
// directory of parts into place (no byte copy), so a multipart object is that directory, served in order.
//
// Usage: node bench/ceiling-server.mjs --data DIR [--host 127.0.0.1] [--port 0]
// Prints `ceiling listening on http://HOST:PORT`. Listing is not implemented (the ceiling has no index).
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '0' },
  },
});
if (!values.data) {
  process.stderr.write('usage: ceiling-server.mjs --data DIR [--host H] [--port N]\n');
  process.exit(2);
}

const root = values.data;
const objectsDir = join(root, 'objects');
const uploadsDir = join(root, 'uploads');
const tmpDir = join(root, 'tmp');
await mkdir(objectsDir, { recursive: true });
await mkdir(uploadsDir, { recursive: true });
await mkdir(tmpDir, { recursive: true });

const READ_BUFFER = 256 * 1024;
const WRITE_BUFFER = 1024 * 1024;
/** ETags of objects written by this process; a restart falls back to size and mtime (a cache, not an index). */
const etags = new Map();

/** Object keys never meet the filesystem: an object lives at objects/<sha1(bucket/key)>. */
function objectPath(bucket, key) {
  return join(objectsDir, createHash('sha1').update(`${bucket}/${key}`).digest('hex'));
}

/** Streams `req` into a new temp file, hashing as it goes; fsyncs (flush) before resolving. */
async function receive(req) {
  const tmp = join(tmpDir, randomBytes(16).toString('hex'));
  const md5 = createHash('md5');
  req.on('data', (chunk) => md5.update(chunk));
  try {
    await pipeline(req, createWriteStream(tmp, { flags: 'wx', flush: true, highWaterMark: WRITE_BUFFER }));
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  return { tmp, etag: md5.digest('hex') };
}

function reply(res, status, headers = {}, body) {
  res.writeHead(status, body === undefined ? { 'content-length': '0', ...headers } : headers);
  res.end(body);
}

function xml(res, doc) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${doc}`;
  reply(res, 200, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) }, body);
}

async function putObject(req, res, path) {
  const { tmp, etag } = await receive(req);
  await rename(tmp, path);
  await rm(`${path}.parts`, { recursive: true, force: true });
  etags.set(path, etag);
  reply(res, 200, { etag: `"${etag}"` });
}

async function uploadPart(req, res, uploadId, partNumber) {
  const dir = join(uploadsDir, uploadId);
  const { tmp, etag } = await receive(req);
  await rename(tmp, join(dir, String(partNumber).padStart(5, '0')));
  etags.set(join(dir, String(partNumber)), etag);
  reply(res, 200, { etag: `"${etag}"` });
}

async function createUpload(res, bucket, key) {
  const uploadId = randomBytes(16).toString('hex');
  await mkdir(join(uploadsDir, uploadId));
  xml(res, `<InitiateMultipartUploadResult><Bucket>${bucket}</Bucket><Key>${key}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`);
}

async function completeUpload(req, res, path, uploadId) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks).toString('utf8');
  const partEtags = [...body.matchAll(/<ETag>"?([0-9a-f]{32})"?<\/ETag>/g)].map((m) => m[1]);
  const etag = `${createHash('md5').update(Buffer.from(partEtags.join(''), 'hex')).digest('hex')}-${partEtags.length}`;
  // The parts' bytes were fsynced when written; the only new state is the rename that publishes them.
  await rm(`${path}.parts`, { recursive: true, force: true });
  await rename(join(uploadsDir, uploadId), `${path}.parts`);
  await unlink(path).catch(() => undefined);
  etags.set(path, etag);
  xml(res, `<CompleteMultipartUploadResult><ETag>"${etag}"</ETag></CompleteMultipartUploadResult>`);
}

/** The object's files in order: one for a PUT object, the sorted parts for a multipart one. */
async function objectFiles(path) {
  try {
    const s = await stat(path);
    return { files: [path], size: s.size, mtime: s.mtime };
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  const names = (await readdir(`${path}.parts`)).sort();
  const files = names.map((n) => join(`${path}.parts`, n));
  let size = 0;
  let mtime = new Date(0);
  for (const f of files) {
    const s = await stat(f);
    size += s.size;
    if (s.mtime > mtime) mtime = s.mtime;
  }
  return { files, size, mtime };
}

function objectHeaders(path, size, mtime) {
  return {
    'content-length': String(size),
    'content-type': 'application/octet-stream',
    etag: `"${etags.get(path) ?? `${size.toString(16)}-${mtime.getTime().toString(16)}`}"`,
    'last-modified': mtime.toUTCString(),
  };
}

async function getObject(res, path, head) {
  if (head) {
    const { size, mtime } = await objectFiles(path);
    reply(res, 200, objectHeaders(path, size, mtime), '');
    return;
  }
  // Single-file objects: open first, so a missing file is a 404 and not a cut stream.
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  if (handle) {
    const s = await handle.stat();
    res.writeHead(200, objectHeaders(path, s.size, s.mtime));
    await pipeline(handle.createReadStream({ highWaterMark: READ_BUFFER }), res);
    return;
  }
  const { files, size, mtime } = await objectFiles(path);
  res.writeHead(200, objectHeaders(path, size, mtime));
  for (const f of files) {
    const h = await open(f, 'r');
    await pipeline(h.createReadStream({ highWaterMark: READ_BUFFER }), res, { end: false });
  }
  res.end();
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://ceiling');
  const [, bucket = '', ...rest] = url.pathname.split('/');
  const key = rest.map(decodeURIComponent).join('/');
  const q = url.searchParams;
  if (bucket === '') return reply(res, 200);
  if (key === '') {
    // Buckets are names only: creating, heading and deleting one always succeeds.
    if (req.method === 'GET') return reply(res, 501);
    req.resume();
    return reply(res, req.method === 'DELETE' ? 204 : 200);
  }
  const path = objectPath(bucket, key);
  switch (req.method) {
    case 'PUT':
      if (q.has('uploadId')) return uploadPart(req, res, q.get('uploadId'), Number(q.get('partNumber')));
      return putObject(req, res, path);
    case 'POST':
      if (q.has('uploads')) return createUpload(res, bucket, key);
      if (q.has('uploadId')) return completeUpload(req, res, path, q.get('uploadId'));
      return reply(res, 501);
    case 'GET':
    case 'HEAD':
      return getObject(res, path, req.method === 'HEAD');
    case 'DELETE':
      if (q.has('uploadId')) {
        await rm(join(uploadsDir, q.get('uploadId')), { recursive: true, force: true });
        return reply(res, 204);
      }
      await unlink(path).catch((e) => { if (e.code !== 'ENOENT') throw e; });
      await rm(`${path}.parts`, { recursive: true, force: true });
      etags.delete(path);
      return reply(res, 204);
    default:
      return reply(res, 405);
  }
}

const server = http.createServer({ keepAliveTimeout: 60_000, requestTimeout: 0 }, (req, res) => {
  handle(req, res).catch((error) => {
    if (res.headersSent) {
      res.destroy(error);
      return;
    }
    reply(res, error.code === 'ENOENT' ? 404 : 500);
  });
});
server.listen(Number(values.port), values.host, () => {
  const { port } = server.address();
  process.stdout.write(`ceiling listening on http://${values.host}:${port}\n`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
