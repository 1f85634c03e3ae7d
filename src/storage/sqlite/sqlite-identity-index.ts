// IdentityIndex on the metadata index's SQLite database: users and access keys live beside the buckets they
// own, so deleting a user can check ownership, and quota checks read user limits, in one transaction.
import type Database from 'better-sqlite3';
import {
  IdentityError,
  type AccessKeyRecord,
  type AccessKeyStatus,
  type IdentityIndex,
  type UserPatch,
  type UserRecord,
  type Usage,
} from '../identity-index.js';
import { toQuota } from './rows.js';

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

function prepare(db: Database.Database) {
  return {
    getUser: db.prepare<[string], UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE name = ?`),
    userNamedAlike: db.prepare<[string], { name: string }>('SELECT name FROM users WHERE name = ? COLLATE NOCASE LIMIT 1'),
    listUsers: db.prepare<[], UserRow>(`SELECT ${USER_COLUMNS} FROM users ORDER BY name`),
    insertUser: db.prepare<[string, number, string | null]>('INSERT INTO users (name, created_at, policy) VALUES (?, ?, ?)'),
    setDisabled: db.prepare<[number, string]>('UPDATE users SET disabled = ? WHERE name = ?'),
    setPolicy: db.prepare<[string | null, string]>('UPDATE users SET policy = ? WHERE name = ?'),
    setQuota: db.prepare<[number | null, number | null, string]>(
      'UPDATE users SET quota_max_bytes = ?, quota_max_objects = ? WHERE name = ?'),
    deleteUser: db.prepare<[string]>('DELETE FROM users WHERE name = ?'),
    ownsBuckets: db.prepare<[string], number>('SELECT EXISTS (SELECT 1 FROM buckets WHERE owner = ?)').pluck(),
    usage: db.prepare<[string], Usage>(`SELECT coalesce(sum(object_count), 0) AS objects,
      coalesce(sum(byte_count), 0) AS bytes FROM buckets WHERE owner = ?`),
    insertKey: db.prepare<[AccessKeyRow]>(`INSERT INTO access_keys (${KEY_COLUMNS})
      VALUES (@access_key_id, @user_name, @status, @created_at, @sealed_secret)`),
    getKey: db.prepare<[string], AccessKeyRow>(`SELECT ${KEY_COLUMNS} FROM access_keys WHERE access_key_id = ?`),
    keysOfUser: db.prepare<[string], AccessKeyRow>(
      `SELECT ${KEY_COLUMNS} FROM access_keys WHERE user_name = ? ORDER BY created_at, access_key_id`),
    setKeyStatus: db.prepare<[AccessKeyStatus, string]>('UPDATE access_keys SET status = ? WHERE access_key_id = ?'),
    replaceSealedSecret: db.prepare<[string, string, string]>(
      'UPDATE access_keys SET sealed_secret = ? WHERE access_key_id = ? AND sealed_secret = ?'),
    deleteKey: db.prepare<[string]>('DELETE FROM access_keys WHERE access_key_id = ?'),
  };
}

export class SqliteIdentityIndex implements IdentityIndex {
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly db: Database.Database) {
    this.s = prepare(db);
  }

  async createUser(user: { name: string; createdAt: Date; policy?: string }): Promise<void> {
    this.write(() => {
      // IAM compares user names without case: `Bob` is taken once `bob` exists.
      const taken = this.s.userNamedAlike.get(user.name);
      if (taken) {
        const detail = taken.name === user.name ? '' : ` as ${taken.name} (user names are not case-sensitive)`;
        throw new IdentityError('EntityAlreadyExists', `user ${user.name} already exists${detail}`);
      }
      this.s.insertUser.run(user.name, user.createdAt.getTime(), user.policy ?? null);
    });
  }

  async getUser(name: string): Promise<UserRecord | undefined> {
    const row = this.s.getUser.get(name);
    return row && toUser(row);
  }

  async listUsers(): Promise<UserRecord[]> {
    return this.s.listUsers.all().map(toUser);
  }

  async updateUser(name: string, patch: UserPatch): Promise<boolean> {
    return this.write(() => {
      if (!this.s.getUser.get(name)) return false;
      if (patch.disabled !== undefined) this.s.setDisabled.run(patch.disabled ? 1 : 0, name);
      if (patch.policy !== undefined) this.s.setPolicy.run(patch.policy, name);
      if (patch.quota !== undefined) this.s.setQuota.run(patch.quota?.maxBytes ?? null, patch.quota?.maxObjects ?? null, name);
      return true;
    });
  }

  async deleteUser(name: string): Promise<boolean> {
    return this.write(() => {
      if (!this.s.getUser.get(name)) return false;
      if (this.s.ownsBuckets.get(name) === 1) {
        throw new IdentityError('DeleteConflict', `user ${name} still owns buckets: delete them or give them to another user first`);
      }
      this.s.deleteUser.run(name); // access keys go with it (ON DELETE CASCADE)
      return true;
    });
  }

  async createAccessKey(key: AccessKeyRecord): Promise<void> {
    this.write(() => {
      if (!this.s.getUser.get(key.userName)) throw new IdentityError('NoSuchEntity', `user ${key.userName} does not exist`);
      if (this.s.getKey.get(key.accessKeyId)) throw new IdentityError('EntityAlreadyExists', `access key ${key.accessKeyId} already exists`);
      this.s.insertKey.run({
        access_key_id: key.accessKeyId,
        user_name: key.userName,
        status: key.status,
        created_at: key.createdAt.getTime(),
        sealed_secret: key.sealedSecret,
      });
    });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const row = this.s.getKey.get(accessKeyId);
    return row && toKey(row);
  }

  async listAccessKeys(userName: string): Promise<AccessKeyRecord[]> {
    return this.s.keysOfUser.all(userName).map(toKey);
  }

  async setAccessKeyStatus(accessKeyId: string, status: AccessKeyStatus): Promise<boolean> {
    return this.write(() => this.s.setKeyStatus.run(status, accessKeyId).changes > 0);
  }

  async replaceSealedSecret(accessKeyId: string, from: string, to: string): Promise<boolean> {
    return this.write(() => this.s.replaceSealedSecret.run(to, accessKeyId, from).changes > 0);
  }

  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    return this.write(() => this.s.deleteKey.run(accessKeyId).changes > 0);
  }

  async userUsage(name: string): Promise<Usage> {
    return this.s.usage.get(name)!;
  }

  private write<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }
}
