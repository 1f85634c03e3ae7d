// The admin API endpoint: JSON over HTTP under /_sklad/admin/v1, SigV4-authenticated like S3, root-only unless
// `allowAdmin` grants more. One request: route → authenticate → authorize → body → handler → JSON, audited.
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/credentials.js';
import { parseRawTarget } from '../auth/raw-target.js';
import { parseRequestTarget } from '../http/request-target.js';
import type { S3Response } from '../s3/respond.js';
import { accessDenied, AdminError, toAdminError } from './errors.js';
import { authenticateAdmin, readBody } from './request.js';
import type { AdminResult, Route } from './route.js';
import { matchRoute } from './routes.js';
import type { AuditEvent, AuditPrincipal } from '../audit/types.js';
import { ADMIN_PREFIX, type AdminDeps, type AdminEndpoint, type ErrorDocument } from './types.js';

export { ADMIN_PREFIX } from './types.js';
export type { AdminAuditSink, AdminDeps, AdminEndpoint } from './types.js';

const EMPTY = Buffer.alloc(0);

function json(status: number, body: unknown, headers: Record<string, string> = {}): S3Response {
  // no-store: a created key's answer holds its secret, and no answer here should sit in a cache.
  const base = { 'cache-control': 'no-store', ...headers };
  if (status === 204 || body === undefined) return { status, headers: base };
  return { status, headers: { 'content-type': 'application/json', ...base }, body: JSON.stringify(body) + '\n' };
}

function errorJson(error: AdminError, requestId: string): S3Response {
  const doc: ErrorDocument = { error: { code: error.code, message: error.message }, requestId };
  return json(error.status, doc, error.headers);
}

/** The path below the admin prefix, or undefined when the request is not an admin request. */
function adminPath(incoming: IncomingMessage, settings: AdminDeps['settings']): string | undefined {
  const url = incoming.url ?? '/';
  // Every S3 request passes here: the common origin-form target is ruled out without parsing it.
  if (url.startsWith('/') && !url.startsWith(ADMIN_PREFIX)) return undefined;
  const rawPath = parseRawTarget(url).rawPath;
  if (rawPath !== ADMIN_PREFIX && !rawPath.startsWith(`${ADMIN_PREFIX}/`)) return undefined;
  // With a virtual-hosted bucket in the Host header, the path is an object key of that bucket: S3's business.
  if (settings.domain !== undefined) {
    try {
      if (parseRequestTarget(url, incoming.headers.host, settings.domain).virtualHostBucket !== undefined) return undefined;
    } catch {
      return undefined;
    }
  }
  return rawPath.slice(ADMIN_PREFIX.length) || '/';
}

function adminQuery(incoming: IncomingMessage): URLSearchParams {
  const url = incoming.url ?? '/';
  const q = url.indexOf('?');
  return new URLSearchParams(q === -1 ? '' : url.slice(q + 1));
}

function auditPrincipal(p: Principal | undefined): AuditPrincipal {
  return p === undefined || p.anonymous ? 'anonymous' : { user: p.userId, accessKeyId: p.accessKeyId };
}

function header(incoming: IncomingMessage, name: string): string | undefined {
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function createAdminApi(deps: AdminDeps): AdminEndpoint {
  const audit = (event: AuditEvent): void => {
    try {
      deps.audit?.record(event);
    } catch (err) {
      // The audit log promises not to throw; if one does, the change it reports has still happened.
      deps.log.error({ err, requestId: event.requestId, action: event.action }, 'admin audit record failed');
    }
  };

  const allowed = async (principal: Principal, route: Route, resource: string): Promise<boolean> =>
    principal.isRoot || (deps.allowAdmin !== undefined && (await deps.allowAdmin(principal, route.action, resource)));

  return async (incoming, requestId, info) => {
    const path = adminPath(incoming, deps.settings);
    if (path === undefined) return undefined;
    const method = incoming.method ?? 'GET';
    let route: Route | undefined;
    let resource = '*';
    let principal: Principal | undefined;
    let params: Readonly<Record<string, string>> = {};
    const eventBase = (r: Route): AuditEvent => ({
      action: r.action,
      principal: auditPrincipal(principal),
      result: 'failure',
      requestId,
      sourceIp: incoming.socket.remoteAddress,
      userAgent: header(incoming, 'user-agent'),
      target: resource,
      details: { ...params },
    });
    try {
      const match = matchRoute(method, path);
      if (match.kind === 'none') throw new AdminError(404, 'NotFound', `No admin endpoint at ${ADMIN_PREFIX}${path}.`);
      if (match.kind === 'method') {
        throw new AdminError(405, 'MethodNotAllowed', `${method} is not allowed on ${ADMIN_PREFIX}${path}.`, { allow: match.allowed.join(', ') });
      }
      route = match.route;
      params = match.params;
      const auth = await authenticateAdmin(incoming, { region: deps.settings.signingRegion, credentials: deps.credentials });
      principal = auth.principal;
      if (info) info.principal = principal;
      resource = await route.resource(match.params, deps);
      if (!(await allowed(principal, route, resource))) throw accessDenied(`${principal.userId} is not allowed to perform ${route.action}.`);
      const body = method === 'GET' ? EMPTY : await readBody(incoming, auth.payload);
      let result: AdminResult;
      try {
        result = await route.handle({ deps, params: match.params, query: adminQuery(incoming), body, principal, requestId });
      } finally {
        // Even a change that failed halfway (a rotation that issued the new key) may have altered credentials.
        if (route.mutates) deps.onCredentialsChanged?.();
      }
      if (route.mutates) audit({ ...eventBase(route), result: 'success', status: result.status, details: { ...params, ...result.audit } });
      return json(result.status, result.body);
    } catch (error) {
      const known = toAdminError(error);
      if (known === undefined) deps.log.error({ err: error, requestId, action: route?.action }, 'internal error');
      const failure = known ?? new AdminError(500, 'InternalError', 'We encountered an internal error. Please try again.');
      // Refused attempts are recorded too: someone trying admin changes without the right is worth knowing.
      if (route?.mutates) audit({ ...eventBase(route), result: 'failure', status: failure.status, errorCode: failure.code });
      return errorJson(failure, requestId);
    }
  };
}
