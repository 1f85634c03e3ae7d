// The console's built front end (dist/console/ui, made by `npm run build`): read once at start, served from
// memory. Hashed asset names never change content, so they are cached for a year; the page itself is
// revalidated every time so a new version's asset names are picked up. Every answer carries the strict CSP.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Response } from '../s3/respond.js';

/** Both src/console/ and dist/console/ sit two levels below the package root. */
export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dist/console/ui/', import.meta.url));

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  // PDF previews are shown from a blob: URL in a frame; nothing else is framed.
  "frame-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers every console answer carries: no framing, no sniffing, no referrer (share links hold signatures). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

interface Asset {
  body: Buffer;
  type: string;
}

export interface ConsoleAssets {
  /** The answer for a path below the console prefix (`/`, `/assets/x.js`, or a front-end route). */
  answer(subPath: string): S3Response;
}

export async function loadAssets(dir: string): Promise<ConsoleAssets> {
  const files = new Map<string, Asset>();
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.posix.join(rel, entry.name);
      if (entry.isDirectory()) await walk(child);
      else files.set(`/${child}`, { body: await readFile(path.join(dir, child)), type: TYPES[path.extname(entry.name)] ?? 'application/octet-stream' });
    }
  };
  let index: Asset | undefined;
  try {
    await walk('');
    index = files.get('/index.html');
  } catch {
    index = undefined;
  }
  return {
    answer(subPath) {
      if (index === undefined) {
        return { status: 503, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'The console was not built: run `npm run build`.\n' };
      }
      const asset = subPath.startsWith('/assets/') ? files.get(subPath) : undefined;
      if (asset !== undefined) {
        return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable' }, body: asset.body };
      }
      if (subPath.startsWith('/assets/')) {
        return { status: 404, headers: { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: 'Not found\n' };
      }
      // Every other path is a front-end route: the page decides what to show.
      return { status: 200, headers: { ...SECURITY_HEADERS, 'content-type': index.type, 'cache-control': 'no-cache' }, body: index.body };
    },
  };
}
