// The route table's vocabulary: what a handler receives and returns. Handlers see no HTTP, only this.
import type { Principal } from '../auth/credentials.js';
import type { AdminDeps } from './types.js';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminCall {
  deps: AdminDeps;
  /** Decoded path parameters, named as in the route pattern (`/users/{name}` → `name`). */
  params: Readonly<Record<string, string>>;
  /** The decoded query (`limit` and `marker` of the list endpoints). */
  query: URLSearchParams;
  /** The verified request body; empty for routes that take none. */
  body: Buffer;
  principal: Principal;
  requestId: string;
}

export interface AdminResult {
  status: number;
  body?: unknown;
  /** Extra facts for the audit event (never secrets). */
  audit?: Record<string, string | number | boolean | null>;
}

export interface Route {
  method: AdminMethod;
  /** Path under the prefix, with `{param}` segments. */
  pattern: string;
  /** Authorization action, e.g. `admin:CreateUser`. */
  action: string;
  /** Changes state: read the body, report to the audit log. */
  mutates: boolean;
  /** The resource the action applies to, for authorization and the audit log. */
  resource(params: Readonly<Record<string, string>>, deps: AdminDeps): Promise<string>;
  handle(call: AdminCall): Promise<AdminResult>;
}

export const ok = (body: unknown, audit?: AdminResult['audit']): AdminResult => ({ status: 200, body, audit });
export const created = (body: unknown, audit?: AdminResult['audit']): AdminResult => ({ status: 201, body, audit });
export const noContent = (audit?: AdminResult['audit']): AdminResult => ({ status: 204, audit });
