// IdentityIndex on the PostgreSQL metadata database: users and access keys live beside the buckets they
// own, so deleting a user can check ownership, and quota checks read user limits, in one transaction.
// Every change is announced to the other gateways (change-feed.ts), which drop their cached credentials.
import type pg from 'pg';
import {
  IdentityError,
  type AccessKeyRecord,
  type AccessKeyStatus,
  type IdentityIndex,
  type Usage,
  type UserPatch,
  type UserRecord,
} from '../identity-index.js';
import { toQuota } from '../sqlite/rows.js';
import { notifyChange } from './change-feed.js';
import { sqlState } from './connection.js';
import type { PostgresTransactions, Transaction } from './transactions.js';

interface UserRow {
  name: string;
  created_at: number;
  disabled: number;
  policy: string | null;
  quota_max_bytes: number | null;
  quota_max_objects: number | null;
}

interface AccessKeyRow {
  access_key_id: string;
  user_name: string;
  status: AccessKeyStatus;
  created_at: number;
  sealed_secret: string;
}

const USER_COLUMNS = 'name, created_at, disabled, policy, quota_max_bytes, quota_max_objects';
const KEY_COLUMNS = 'access_key_id, user_name, status, created_at, sealed_secret';

function toUser(row: UserRow): UserRecord {
  const user: UserRecord = { name: row.name, createdAt: new Date(row.created_at), disabled: row.disabled === 1 };
  if (row.policy !== null) user.policy = row.policy;
  const quota = toQuota(row.quota_max_bytes, row.quota_max_objects);
  if (quota !== undefined) user.quota = quota;
  return user;
}

function toKey(row: AccessKeyRow): AccessKeyRecord {
  return {
    accessKeyId: row.access_key_id,
    userName: row.user_name,
    status: row.status,
    createdAt: new Date(row.created_at),
    sealedSecret: row.sealed_secret,
  };
}

const q = (name: string, text: string) => (values: unknown[] = []): pg.QueryConfig => ({ name, text, values });

const sql = {
  getUser: q('id_get_user', `SELECT ${USER_COLUMNS} FROM users WHERE name = $1`),
  lockUser: q('id_lock_user', `SELECT ${USER_COLUMNS} FROM users WHERE name = $1 FOR UPDATE`),
  listUsers: q('id_list_users', `SELECT ${USER_COLUMNS} FROM users ORDER BY name`),
  insertUser: q('id_insert_user', 'INSERT INTO users (name, created_at, policy) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING'),
  setDisabled: q('id_set_disabled', 'UPDATE users SET disabled = $1 WHERE name = $2'),
  setPolicy: q('id_set_policy', 'UPDATE users SET policy = $1 WHERE name = $2'),
  setQuota: q('id_set_quota', 'UPDATE users SET quota_max_bytes = $1, quota_max_objects = $2 WHERE name = $3'),
  deleteUser: q('id_delete_user', 'DELETE FROM users WHERE name = $1'),
  ownsBuckets: q('id_owns_buckets', 'SELECT EXISTS (SELECT 1 FROM buckets WHERE owner = $1) AS owns'),
  usage: q('id_usage', `SELECT coalesce(sum(c.object_count), 0)::bigint AS objects,
    coalesce(sum(c.byte_count), 0)::bigint AS bytes FROM buckets b JOIN bucket_counters c ON c.bucket = b.name WHERE b.owner = $1`),
  insertKey: q('id_insert_key', `INSERT INTO access_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`),
  getKey: q('id_get_key', `SELECT ${KEY_COLUMNS} FROM access_keys WHERE access_key_id = $1`),
  keysOfUser: q('id_keys_of_user', `SELECT ${KEY_COLUMNS} FROM access_keys WHERE user_name = $1 ORDER BY created_at, access_key_id`),
  setKeyStatus: q('id_set_key_status', 'UPDATE access_keys SET status = $1 WHERE access_key_id = $2'),
  deleteKey: q('id_delete_key', 'DELETE FROM access_keys WHERE access_key_id = $1'),
  replaceSealedSecret: q('id_replace_sealed_secret', 'UPDATE access_keys SET sealed_secret = $1 WHERE access_key_id = $2 AND sealed_secret = $3'),
};

export class PostgresIdentityIndex implements IdentityIndex {
  constructor(
    private readonly pool: pg.Pool,
    private readonly transactions: PostgresTransactions,
  ) {}

  async createUser(user: { name: string; createdAt: Date; policy?: string }): Promise<void> {
    await this.write(user.name, async (tx) => {
      const inserted = await tx.query(sql.insertUser([user.name, user.createdAt.getTime(), user.policy ?? null]));
      // Taken under this name or another case of it (IAM compares user names without case).
      if (inserted.rowCount === 0) throw new IdentityError('EntityAlreadyExists', `user ${user.name} already exists (user names are not case-sensitive)`);
    });
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const row = (await this.pool.query<UserRow>(sql.getUser([name]))).rows[0];
    return row && toUser(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.pool.query<UserRow>(sql.listUsers())).rows.map(toUser);
  }

  async updateUser(name: string, patch: UserPatch): Promise<boolean> {
    return this.write(name, async (tx) => {
      if ((await tx.query(sql.lockUser([name]))).rowCount === 0) return false;
      if (patch.disabled !== undefined) await tx.query(sql.setDisabled([patch.disabled ? 1 : 0, name]));
      if (patch.policy !== undefined) await tx.query(sql.setPolicy([patch.policy, name]));
      if (patch.quota !== undefined) await tx.query(sql.setQuota([patch.quota?.maxBytes ?? null, patch.quota?.maxObjects ?? null, name]));
      return true;
    });
  }

  async deleteUser(name: string): Promise<boolean> {
    return this.write(name, async (tx) => {
      if ((await tx.query(sql.lockUser([name]))).rowCount === 0) return false;
      const { rows } = await tx.query<{ owns: boolean }>(sql.ownsBuckets([name]));
      if (rows[0]?.owns) {
        throw new IdentityError('DeleteConflict', `user ${name} still owns buckets: delete them or give them to another user first`);
      }
      await tx.query(sql.deleteUser([name])); // access keys go with it (ON DELETE CASCADE)
      return true;
    });
  }

  async createAccessKey(key: AccessKeyRecord): Promise<void> {
    await this.write(key.accessKeyId, async (tx) => {
      if ((await tx.query(sql.getUser([key.userName]))).rowCount === 0) {
        throw new IdentityError('NoSuchEntity', `user ${key.userName} does not exist`);
      }
      try {
        await tx.query(sql.insertKey([key.accessKeyId, key.userName, key.status, key.createdAt.getTime(), key.sealedSecret]));
      } catch (error) {
        if (sqlState(error) === '23505') throw new IdentityError('EntityAlreadyExists', `access key ${key.accessKeyId} already exists`);
        if (sqlState(error) === '23503') throw new IdentityError('NoSuchEntity', `user ${key.userName} does not exist`);
        throw error;
      }
    });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = (await this.pool.query<AccessKeyRow>(sql.getKey([accessKeyId]))).rows[0];
    return row && toKey(row);
  }

  async listAccessKeys(userName: string): Promise<AccessKeyRecord[]> {
    return (await this.pool.query<AccessKeyRow>(sql.keysOfUser([userName]))).rows.map(toKey);
  }

  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean> {
    return this.write(accessKeyId, async (tx) => ((await tx.query(sql.setKeyStatus([status, accessKeyId]))).rowCount ?? 0) > 0);
  }

  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    return this.write(accessKeyId, async (tx) => ((await tx.query(sql.deleteKey([accessKeyId]))).rowCount ?? 0) > 0);
  }

  async replaceSealedSecret(accessKeyId: string, from: string, to: string): Promise<boolean> {
    return this.write(accessKeyId, async (tx) => ((await tx.query(sql.replaceSealedSecret([to, accessKeyId, from]))).rowCount ?? 0) > 0);
  }

  async userUsage(name: string): Promise<Usage> {
    return (await this.pool.query<Usage>(sql.usage([name]))).rows[0]!;
  }

  /** A write that, once committed, tells every gateway to drop what it caches about `name`. */
  private write<T>(name: string, work: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.transactions.run(async (tx) => {
      const result = await work(tx);
      await notifyChange(tx, { kind: 'identity', name });
      return result;
    });
  }
}
