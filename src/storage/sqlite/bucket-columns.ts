// How each bucket setting maps onto the columns of the buckets table: one entry per setting, used to write
// a new bucket, to read one back and to patch some of its settings in one UPDATE.
import type {
  BucketPatch, BucketSettings, CorsRule, DefaultEncryption, DefaultRetention, LifecycleConfiguration, LifecycleRule, ObjectOwnership,
  PublicAccessBlockConfig, Tag, WebsiteConfig,
} from '../metadata-index.js';
import { toQuota } from './rows.js';

export interface BucketRow {
  name: string;
  owner: string;
  region: string;
  created_at: number;
  acl: string;
  versioning: BucketSettings['versioning'];
  /** JSON {"algorithm": …} or NULL */
  encryption: string | null;
  policy: string | null;
  /** JSON PublicAccessBlockConfig or NULL */
  public_access_block: string | null;
  quota_max_bytes: number | null;
  quota_max_objects: number | null;
  /** JSON Tag[] or NULL */
  tags: string | null;
  object_lock_enabled: number;
  /** JSON DefaultRetention or NULL */
  object_lock: string | null;
  /** JSON LifecycleConfiguration (dates as ISO strings) or NULL */
  lifecycle: string | null;
  /** JSON CorsRule[] or NULL */
  cors: string | null;
  /** JSON WebsiteConfig or NULL */
  website: string | null;
  /** The ObjectOwnership name, or NULL when the bucket has no ownership controls. */
  ownership_controls: string | null;
}

interface SettingColumns<K extends keyof BucketSettings> {
  /** The columns holding the setting, for `undefined` (removed) too. */
  write(value: BucketSettings[K]): Partial<BucketRow>;
  read(row: BucketRow): BucketSettings[K];
}

const json = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

/** Rules as JSON: the one Date (expirationDate) is kept as its ISO string and revived on reading. */
function readLifecycle(text: string | null): LifecycleConfiguration | undefined {
  const stored = json<{ rules: (Omit<LifecycleRule, 'expirationDate'> & { expirationDate?: string })[] }>(text);
  if (stored === undefined) return undefined;
  return {
    rules: stored.rules.map(({ expirationDate, ...rule }) => (expirationDate === undefined ? rule : { ...rule, expirationDate: new Date(expirationDate) })),
  };
}

export const BUCKET_SETTING_COLUMNS: { [K in keyof BucketSettings]-?: SettingColumns<K> } = {
  owner: { write: (owner) => ({ owner }), read: (row) => row.owner },
  acl: { write: (acl) => ({ acl }), read: (row) => row.acl },
  versioning: { write: (versioning) => ({ versioning }), read: (row) => row.versioning },
  defaultEncryption: {
    write: (algorithm) => ({ encryption: algorithm === undefined ? null : JSON.stringify({ algorithm }) }),
    read: (row) => json<{ algorithm: DefaultEncryption }>(row.encryption)?.algorithm,
  },
  policy: { write: (policy) => ({ policy: policy ?? null }), read: (row) => row.policy ?? undefined },
  publicAccessBlock: {
    write: (config) => ({ public_access_block: config === undefined ? null : JSON.stringify(config) }),
    read: (row) => json<PublicAccessBlockConfig>(row.public_access_block),
  },
  quota: {
    write: (quota) => ({ quota_max_bytes: quota?.maxBytes ?? null, quota_max_objects: quota?.maxObjects ?? null }),
    read: (row) => toQuota(row.quota_max_bytes, row.quota_max_objects),
  },
  tags: { write: (tags) => ({ tags: tags === undefined ? null : JSON.stringify(tags) }), read: (row) => json<Tag[]>(row.tags) },
  objectLockEnabled: {
    write: (enabled) => ({ object_lock_enabled: enabled ? 1 : 0 }),
    read: (row) => (row.object_lock_enabled === 1 ? true : undefined),
  },
  defaultRetention: {
    write: (retention) => ({ object_lock: retention === undefined ? null : JSON.stringify(retention) }),
    read: (row) => json<DefaultRetention>(row.object_lock),
  },
  lifecycle: { write: (config) => ({ lifecycle: config === undefined ? null : JSON.stringify(config) }), read: (row) => readLifecycle(row.lifecycle) },
  cors: { write: (rules) => ({ cors: rules === undefined ? null : JSON.stringify(rules) }), read: (row) => json<CorsRule[]>(row.cors) },
  website: { write: (config) => ({ website: config === undefined ? null : JSON.stringify(config) }), read: (row) => json<WebsiteConfig>(row.website) },
  objectOwnership: {
    write: (ownership) => ({ ownership_controls: ownership ?? null }),
    read: (row) => (row.ownership_controls ?? undefined) as ObjectOwnership | undefined,
  },
};

const SETTINGS = Object.keys(BUCKET_SETTING_COLUMNS) as (keyof BucketSettings)[];

/** Every setting's columns for `settings` (absent optional settings become NULL). */
export function settingColumns(settings: BucketSettings): Partial<BucketRow> {
  const columns: Partial<BucketRow> = {};
  for (const name of SETTINGS) Object.assign(columns, (BUCKET_SETTING_COLUMNS[name] as SettingColumns<typeof name>).write(settings[name]));
  return columns;
}

/** The settings stored in a row; optional ones that are NULL are left out. */
export function readSettings(row: BucketRow): BucketSettings {
  const settings = {} as Record<string, unknown>;
  for (const name of SETTINGS) {
    const value = (BUCKET_SETTING_COLUMNS[name] as SettingColumns<typeof name>).read(row);
    if (value !== undefined) settings[name] = value;
  }
  return settings as unknown as BucketSettings;
}

/** The columns a patch changes: null (remove) is written as the setting's absent value. */
export function patchColumns(patch: BucketPatch): Partial<BucketRow> {
  const columns: Partial<BucketRow> = {};
  for (const name of SETTINGS) {
    if (!Object.hasOwn(patch, name) || patch[name] === undefined) continue;
    const value = patch[name] === null ? undefined : patch[name];
    Object.assign(columns, (BUCKET_SETTING_COLUMNS[name] as SettingColumns<typeof name>).write(value as never));
  }
  return columns;
}
