// The admin API through the console (users, keys, policies, quotas, server info), as the signed-in principal.
import type { AccessKeyView, BucketListView, BucketView, InfoView, NewAccessKeyView, QuotaView, UserListView, UserView } from '../../admin/wire';
import { callJson } from './api';

const enc = encodeURIComponent;

export const info = (): Promise<InfoView> => callJson<InfoView>('/admin/info');
export const users = async (): Promise<UserListView['users']> => (await callJson<UserListView>('/admin/users')).users;
export const user = (name: string): Promise<UserView> => callJson<UserView>(`/admin/users/${enc(name)}`);
export const createUser = (name: string, policy?: unknown): Promise<UserView> =>
  callJson<UserView>('/admin/users', { method: 'POST', json: policy === undefined ? { name } : { name, policy } });
export const setUserDisabled = (name: string, disabled: boolean): Promise<UserView> =>
  callJson<UserView>(`/admin/users/${enc(name)}`, { method: 'PATCH', json: { disabled } });
export const deleteUser = (name: string): Promise<void> => callJson<void>(`/admin/users/${enc(name)}`, { method: 'DELETE' });
export const putUserPolicy = (name: string, policy: string): Promise<void> =>
  callJson<void>(`/admin/users/${enc(name)}/policy`, { method: 'PUT', body: policy, headers: { 'content-type': 'application/json' } });
export const deleteUserPolicy = (name: string): Promise<void> => callJson<void>(`/admin/users/${enc(name)}/policy`, { method: 'DELETE' });
export const putUserQuota = (name: string, quota: QuotaView): Promise<void> => callJson<void>(`/admin/users/${enc(name)}/quota`, { method: 'PUT', json: quota });
export const deleteUserQuota = (name: string): Promise<void> => callJson<void>(`/admin/users/${enc(name)}/quota`, { method: 'DELETE' });
export const createKey = (name: string): Promise<NewAccessKeyView> => callJson<NewAccessKeyView>(`/admin/users/${enc(name)}/keys`, { method: 'POST' });
export const setKeyStatus = (id: string, status: AccessKeyView['status']): Promise<AccessKeyView> =>
  callJson<AccessKeyView>(`/admin/keys/${enc(id)}`, { method: 'PATCH', json: { status } });
export const rotateKey = (id: string): Promise<NewAccessKeyView> => callJson<NewAccessKeyView>(`/admin/keys/${enc(id)}/rotate`, { method: 'POST' });
export const deleteKey = (id: string): Promise<void> => callJson<void>(`/admin/keys/${enc(id)}`, { method: 'DELETE' });
export const buckets = async (): Promise<BucketView[]> => (await callJson<BucketListView>('/admin/buckets')).buckets;
export const bucket = (name: string): Promise<BucketView> => callJson<BucketView>(`/admin/buckets/${enc(name)}`);
export const putBucketQuota = (name: string, quota: QuotaView): Promise<void> => callJson<void>(`/admin/buckets/${enc(name)}/quota`, { method: 'PUT', json: quota });
export const deleteBucketQuota = (name: string): Promise<void> => callJson<void>(`/admin/buckets/${enc(name)}/quota`, { method: 'DELETE' });
