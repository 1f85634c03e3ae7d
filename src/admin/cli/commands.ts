// The `sklad admin` subcommands: one row each (words, positional arguments, options it accepts, what it does).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BackupReport } from '../../data-folder/backup.js';
import type {
  AccessKeyListView, AccessKeyView, BucketListView, BucketView, InfoView, KeyVersionsView, LifecyclePreviewView, ListPageView, MasterKeyView,
  NewAccessKeyView, QuotaView, RestoreView, RewrapView, UserListView, UserView,
} from '../types.js';
import { apiPath, type AdminClient } from './client.js';
import { UsageError } from './connection.js';
import {
  renderBucket, renderBuckets, renderInfo, renderKeys, renderKeyVersions, renderLifecyclePreview, renderMasterKey, renderNewKey, renderUser,
  renderUsers,
} from './render.js';
import { parseCount, parseSize } from './sizes.js';

export type CommandOption = 'policy' | 'max-bytes' | 'max-objects' | 'rule' | 'page-size' | 'batch';

export interface CommandContext {
  client: AdminClient;
  /** Positional arguments after the command words, named by the command's `args`. */
  args: string[];
  options: Partial<Record<CommandOption, string>>;
  /** Progress of long commands, for people (stderr); never part of the output. */
  progress(line: string): void;
}

/** What a command produced: the API's JSON (printed as is with --json) and the text for people. */
export interface CommandOutput {
  json?: unknown;
  text: string;
}

export interface Command {
  words: string[];
  args: string[];
  options?: CommandOption[];
  summary: string;
  run(ctx: CommandContext): Promise<CommandOutput>;
}

function readDocument(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

/** A policy file must be JSON before it is sent, so a typo is caught here with a line-level message. */
function readPolicy(file: string): object {
  const text = readDocument(file);
  try {
    return JSON.parse(text) as object;
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
}

function quotaFrom(options: CommandContext['options']): QuotaView {
  const quota: QuotaView = {};
  if (options['max-bytes'] !== undefined) {
    const bytes = parseSize(options['max-bytes']);
    if (bytes === undefined) throw new UsageError(`--max-bytes ${options['max-bytes']}: expected a size such as 500M, 10G or 2T`);
    quota.maxBytes = bytes;
  }
  if (options['max-objects'] !== undefined) {
    const count = parseCount(options['max-objects']);
    if (count === undefined) throw new UsageError(`--max-objects ${options['max-objects']}: expected a whole number`);
    quota.maxObjects = count;
  }
  if (quota.maxBytes === undefined && quota.maxObjects === undefined) throw new UsageError('give --max-bytes, --max-objects or both');
  return quota;
}

function wholeNumber(options: CommandContext['options'], option: 'page-size' | 'batch', max: number): number | undefined {
  const raw = options[option];
  if (raw === undefined) return undefined;
  const n = parseCount(raw);
  if (n === undefined || n < 1 || n > max) throw new UsageError(`--${option} ${raw}: expected a whole number from 1 to ${max}`);
  return n;
}

/** Every page of a list endpoint, followed through `nextMarker`, as one document. */
async function allPages<F extends string, T>(ctx: CommandContext, path: string, field: F): Promise<Record<F, T[]> & ListPageView> {
  const pageSize = wholeNumber(ctx.options, 'page-size', 1000);
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const query = new URLSearchParams();
    if (pageSize !== undefined) query.set('limit', String(pageSize));
    if (marker !== undefined) query.set('marker', marker);
    const qs = query.toString();
    const page = await ctx.client.call<Record<F, T[]> & ListPageView>('GET', qs === '' ? path : `${path}?${qs}`);
    items.push(...page[field]);
    marker = page.isTruncated ? page.nextMarker : undefined;
  } while (marker !== undefined);
  return { [field]: items, isTruncated: false } as Record<F, T[]> & ListPageView;
}

const user = (name: string): string => apiPath('users', name);
const key = (id: string): string => apiPath('keys', id);
const bucket = (name: string): string => apiPath('buckets', name);

const showUser = (u: UserView): CommandOutput => ({ json: u, text: renderUser(u) });
const showBucket = (b: BucketView): CommandOutput => ({ json: b, text: renderBucket(b) });

export const commands: readonly Command[] = [
  {
    words: ['info'], args: [], summary: 'server version, uptime, totals',
    run: async ({ client }) => {
      const info = await client.call<InfoView>('GET', '/info');
      return { json: info, text: renderInfo(info) };
    },
  },
  {
    words: ['user', 'list'], args: [], options: ['page-size'], summary: 'all users with usage, quota and key count',
    run: async (ctx) => {
      const doc: UserListView = await allPages(ctx, '/users', 'users');
      return { json: doc, text: renderUsers(doc.users) };
    },
  },
  {
    words: ['user', 'create'], args: ['NAME'], options: ['policy'], summary: 'create a user, optionally with a policy file (--policy FILE)',
    run: async ({ client, args: [name], options }) =>
      showUser(await client.call<UserView>('POST', '/users', options.policy === undefined ? { name } : { name, policy: readPolicy(options.policy) })),
  },
  { words: ['user', 'show'], args: ['NAME'], summary: 'a user: status, policy, quota, usage, keys', run: async ({ client, args: [n] }) => showUser(await client.call<UserView>('GET', user(n!))) },
  {
    words: ['user', 'disable'], args: ['NAME'], summary: 'refuse every request signed with the user\'s keys',
    run: async ({ client, args: [n] }) => showUser(await client.call<UserView>('PATCH', user(n!), { disabled: true })),
  },
  { words: ['user', 'enable'], args: ['NAME'], summary: 'accept the user\'s keys again', run: async ({ client, args: [n] }) => showUser(await client.call<UserView>('PATCH', user(n!), { disabled: false })) },
  {
    words: ['user', 'delete'], args: ['NAME'], summary: 'delete a user and its keys (not while it owns buckets)',
    run: async ({ client, args: [n] }) => {
      await client.call('DELETE', user(n!));
      return { text: `deleted user ${n}\n` };
    },
  },
  {
    words: ['user', 'policy', 'set'], args: ['NAME', 'FILE'], summary: 'attach the policy in FILE (- for stdin), replacing any other',
    run: async ({ client, args: [n, file] }) => {
      const doc = await client.call('PUT', `${user(n!)}/policy`, JSON.stringify(readPolicy(file!)));
      return { json: doc, text: `policy of ${n} set\n` };
    },
  },
  {
    words: ['user', 'policy', 'get'], args: ['NAME'], summary: 'print the user\'s policy',
    run: async ({ client, args: [n] }) => {
      const doc = await client.call('GET', `${user(n!)}/policy`);
      return { json: doc, text: JSON.stringify(doc, null, 2) + '\n' };
    },
  },
  {
    words: ['user', 'policy', 'delete'], args: ['NAME'], summary: 'detach the user\'s policy',
    run: async ({ client, args: [n] }) => {
      await client.call('DELETE', `${user(n!)}/policy`);
      return { text: `policy of ${n} removed\n` };
    },
  },
  {
    words: ['user', 'quota', 'set'], args: ['NAME'], options: ['max-bytes', 'max-objects'], summary: 'limit the bytes and/or objects in the user\'s buckets',
    run: async ({ client, args: [n], options }) => showUser(await client.call<UserView>('PUT', `${user(n!)}/quota`, quotaFrom(options))),
  },
  { words: ['user', 'quota', 'clear'], args: ['NAME'], summary: 'remove the user\'s quota', run: async ({ client, args: [n] }) => showUser(await client.call<UserView>('DELETE', `${user(n!)}/quota`)) },
  {
    words: ['key', 'list'], args: ['USER'], options: ['page-size'], summary: 'a user\'s access keys (never their secrets)',
    run: async (ctx) => {
      const doc: AccessKeyListView = await allPages(ctx, `${user(ctx.args[0]!)}/keys`, 'accessKeys');
      return { json: doc, text: renderKeys(doc.accessKeys) };
    },
  },
  {
    words: ['key', 'create'], args: ['USER'], summary: 'a new key pair for USER; the secret is shown once',
    run: async ({ client, args: [n] }) => {
      const k = await client.call<NewAccessKeyView>('POST', `${user(n!)}/keys`);
      return { json: k, text: renderNewKey(k) };
    },
  },
  ...(['disable', 'enable'] as const).map((verb): Command => ({
    words: ['key', verb], args: ['ID'], summary: verb === 'disable' ? 'make a key Inactive (requests with it are refused)' : 'make a key Active again',
    run: async ({ client, args: [id] }) => {
      const k = await client.call<AccessKeyView>('PATCH', key(id!), { status: verb === 'disable' ? 'Inactive' : 'Active' });
      return { json: k, text: `${k.accessKeyId} (${k.userName}) is now ${k.status}\n` };
    },
  })),
  {
    words: ['key', 'delete'], args: ['ID'], summary: 'delete a key for good',
    run: async ({ client, args: [id] }) => {
      await client.call('DELETE', key(id!));
      return { text: `deleted key ${id}\n` };
    },
  },
  {
    words: ['key', 'rotate'], args: ['ID'], summary: 'new key pair for the same user; the old key becomes Inactive',
    run: async ({ client, args: [id] }) => {
      const k = await client.call<NewAccessKeyView>('POST', `${key(id!)}/rotate`);
      return { json: k, text: renderNewKey(k) };
    },
  },
  {
    words: ['bucket', 'list'], args: [], options: ['page-size'], summary: 'all buckets with owner, usage and quota',
    run: async (ctx) => {
      const doc: BucketListView = await allPages(ctx, '/buckets', 'buckets');
      return { json: doc, text: renderBuckets(doc.buckets) };
    },
  },
  { words: ['bucket', 'show'], args: ['NAME'], summary: 'a bucket: owner, usage, quota', run: async ({ client, args: [n] }) => showBucket(await client.call<BucketView>('GET', bucket(n!))) },
  {
    words: ['bucket', 'quota', 'set'], args: ['NAME'], options: ['max-bytes', 'max-objects'], summary: 'limit the bytes and/or objects in a bucket',
    run: async ({ client, args: [n], options }) => showBucket(await client.call<BucketView>('PUT', `${bucket(n!)}/quota`, quotaFrom(options))),
  },
  { words: ['bucket', 'quota', 'clear'], args: ['NAME'], summary: 'remove a bucket\'s quota', run: async ({ client, args: [n] }) => showBucket(await client.call<BucketView>('DELETE', `${bucket(n!)}/quota`)) },
  {
    words: ['bucket', 'owner'], args: ['NAME', 'USER'], summary: 'give a bucket to another user (or root)',
    run: async ({ client, args: [n, owner] }) => showBucket(await client.call<BucketView>('PUT', `${bucket(n!)}/owner`, { owner })),
  },
  {
    words: ['bucket', 'lifecycle', 'preview'], args: ['NAME'], options: ['rule'],
    summary: 'dry run: what the bucket\'s lifecycle rules (or --rule ID) would delete today',
    run: async ({ client, args: [n], options }) => {
      const path = options.rule === undefined ? `${bucket(n!)}/lifecycle/preview` : `${bucket(n!)}${apiPath('lifecycle', 'rules', options.rule)}/preview`;
      const preview = await client.call<LifecyclePreviewView>('GET', path);
      return { json: preview, text: renderLifecyclePreview(preview) };
    },
  },
  {
    words: ['object', 'versions'], args: ['BUCKET', 'KEY'], summary: 'every version and delete marker of a key, newest first',
    run: async ({ client, args: [b, k] }) => {
      const doc = await client.call<KeyVersionsView>('GET', `${bucket(b!)}/objects/${encodeURIComponent(k!)}/versions`);
      return { json: doc, text: renderKeyVersions(doc) };
    },
  },
  {
    words: ['object', 'restore'], args: ['BUCKET', 'KEY', 'VERSION'], summary: 'make an older version current again (a server-side copy)',
    run: async ({ client, args: [b, k, versionId] }) => {
      const doc = await client.call<RestoreView>('POST', `${bucket(b!)}/objects/${encodeURIComponent(k!)}/restore`, { versionId });
      return { json: doc, text: `${doc.bucket}/${doc.key}: version ${doc.restoredFrom} restored as ${doc.versionId}\n` };
    },
  },
  {
    words: ['master-key', 'status'], args: [], summary: 'what each master key still protects; which retired keys may go',
    run: async ({ client }) => {
      const view = await client.call<MasterKeyView>('GET', '/master-key');
      return { json: view, text: renderMasterKey(view) };
    },
  },
  {
    words: ['master-key', 'rewrap'], args: [], options: ['batch'],
    summary: 'move every data key and secret under the current master key (online, resumable)',
    run: async (ctx) => {
      const batch = wholeNumber(ctx.options, 'batch', 10_000);
      let cursor: string | undefined;
      let step: RewrapView;
      const total = { scanned: 0, rewrapped: 0, unavailable: 0 };
      do {
        step = await ctx.client.call<RewrapView>('POST', '/master-key/rewrap', { ...(cursor ? { cursor } : {}), ...(batch ? { limit: batch } : {}) });
        total.scanned += step.scanned;
        total.rewrapped += step.rewrapped;
        total.unavailable += step.unavailable;
        cursor = step.cursor;
        ctx.progress(`scanned ${total.scanned} records, re-wrapped ${total.rewrapped}${cursor ? ` (resume with cursor ${cursor})` : ''}`);
      } while (!step.done && cursor !== undefined);
      const view = step.masterKey!;
      const text =
        `re-wrapped ${total.rewrapped} data keys of ${total.scanned} records, re-sealed ${step.secretsResealed ?? 0} access-key secrets` +
        (total.unavailable > 0 ? `; ${total.unavailable} under a missing master key left as they were` : '') +
        `\n${renderMasterKey(view)}` +
        (view.retirable.length > 0 ? `retired keys that protect nothing now: ${view.retirable.join(', ')}\n` : '');
      return { json: { ...total, secretsResealed: step.secretsResealed ?? 0, masterKey: view }, text };
    },
  },
  {
    words: ['backup'], args: ['DEST'], summary: 'online backup of the data folder into DEST, a new folder on the server machine',
    run: async ({ client, args: [destination] }) => {
      const report = await client.call<BackupReport>('POST', '/backup', { destination: path.resolve(destination!) });
      return {
        json: report,
        text: `backup written to ${report.destination}: index ${report.indexBytes} bytes, ${report.blobs} blob files (${report.linked} hard-linked), ${report.blobBytes} bytes, in ${report.seconds.toFixed(1)} s\n`,
      };
    },
  },
];

/** The command whose words start `positionals`, longest match first (`user policy set` before `user …`). */
export function findCommand(positionals: string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.words.every((w, i) => positionals[i] === w) && (best === undefined || c.words.length > best.words.length)) best = c;
  }
  return best;
}
