// The HTTP application: request ids, S3 dispatch, error rendering, and writing responses (streams piped
// straight to the socket with backpressure). No storage or protocol logic lives here.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Http2Bindings, HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono } from 'hono';
import { corsResponseHeaders } from './http/cors.js';
import { dispatch, type FrontEndDeps, type RequestInfo } from './http/dispatch.js';
import { errorResponse, toS3Error } from './http/error-response.js';
import { countReceivedBytes } from './http/received-bytes.js';
import type { OperatorEndpoints } from './observability/endpoints.js';
import { answerBeforeS3, preS3Routes, type RouteReport } from './pre-s3-routes.js';
import type { S3Response } from './s3/respond.js';
import type { AdminEndpoint } from './admin/api.js';
import type { ConsoleEndpoint } from './console/endpoint.js';
import { isAudited } from './audit/classify.js';
import { auditEventFor, summarizeRequest } from './audit/request-summary.js';
import type { AuditLog } from './audit/types.js';
import type { RequestFeed } from './observability/request-feed.js';
import type { WebsiteListener } from './website/endpoint.js';

export interface AppDeps extends FrontEndDeps {
  operator?: OperatorEndpoints;
  /** The admin API under /_sklad/admin/v1 (src/admin/); absent means no admin API. */
  admin?: AdminEndpoint;
  /** The web console under /_sklad/console (src/console/); absent means no console. */
  console?: ConsoleEndpoint;
  /** Receives every finished request's summary (the console's live view); absent means none is kept. */
  requestFeed?: Pick<RequestFeed, 'push' | 'watched'>;
  /** Receives every write, delete and denied request; absent means no audit trail (unit tests). */
  audit?: AuditLog;
  /** The website endpoint, which answers requests whose Host is `bucket.WEBSITE_DOMAIN` on this port too. */
  website?: WebsiteListener;
}

function declaredBytes(headers: Record<string, unknown>, name: string): number {
  const n = Number(headers[name]);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

// Request ids must be unique, not secret: a random per-process prefix and a counter, instead of
// reading the system's random source on every request.
const requestIdPrefix = randomBytes(4).toString('hex').toUpperCase();
let requestCounter = 0;

function newRequestId(): string {
  requestCounter = (requestCounter + 1) % 0x1_0000_0000;
  return requestIdPrefix + requestCounter.toString(16).toUpperCase().padStart(8, '0');
}

function rawPath(incoming: IncomingMessage): string {
  const url = incoming.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** Writes an answer to the socket: headers, then the body (none for HEAD), streams piped with backpressure. */
async function sendResponse(res: S3Response, outgoing: ServerResponse, method: string): Promise<void> {
  const body = res.body;
  if (method === 'HEAD') {
    if (body instanceof Readable) body.destroy();
    outgoing.writeHead(res.status, res.headers);
    outgoing.end();
    return;
  }
  if (body instanceof Readable) {
    outgoing.writeHead(res.status, res.headers);
    // A failure mid-stream (disconnect, disk error) destroys the socket: the client sees a cut
    // response, never a complete-looking one with wrong bytes.
    await pipeline(body, outgoing).catch(() => outgoing.destroy());
    return;
  }
  const headers = { ...res.headers };
  if (headers['content-length'] === undefined && res.status !== 204 && res.status !== 304) {
    headers['content-length'] = String(body === undefined ? 0 : Buffer.byteLength(body));
  }
  outgoing.writeHead(res.status, headers);
  outgoing.end(body);
}

/** Handles one request on Node's own objects; settles once the response is written or cut. */
export type RequestListener = (incoming: IncomingMessage, outgoing: ServerResponse) => Promise<void>;

/** What @hono/node-server calls for each request (sklad serves HTTP/1.1 only, so bindings are node:http's). */
export type FetchHandler = (request: Request, env: HttpBindings | Http2Bindings) => Promise<Response>;

/**
 * The fetch handler @hono/node-server serves: a Hono app with one route that hands Node's own request and
 * response (node-server's bindings) to the listener below and returns node-server's already-sent marker, so no
 * web Response is built for any answer. HEAD goes to the listener directly: Hono answers HEAD by re-wrapping
 * the GET route's Response, and node-server writes such a wrapper's headers again.
 */
export function createApp(deps: AppDeps): FetchHandler {
  const listener = createRequestListener(deps);
  const run = async ({ incoming, outgoing }: HttpBindings): Promise<Response> => {
    const serve = deps.website?.claims(incoming.headers.host) ? deps.website : listener;
    await serve(incoming, outgoing).catch((err: unknown) => {
      // The listener answers every error it can; what escapes it happened after the response had started,
      // so all that is left is to cut the connection.
      deps.log.error({ err }, 'request failed after its response had started');
      outgoing.destroy();
    });
    return RESPONSE_ALREADY_SENT;
  };
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.all('*', (c) => run(c.env));
  return async (request, env) => (request.method === 'HEAD' ? run(env as HttpBindings) : app.fetch(request, env));
}

/** Answers one request on Node's own objects, writing straight to the socket; settles once written or cut. */
export function createRequestListener(deps: AppDeps): RequestListener {
  const routes = preS3Routes({ operator: deps.operator, console: deps.console, admin: deps.admin, index: deps.index, domain: deps.settings.domain });
  return async (incoming, outgoing) => {
    const started = process.hrtime.bigint();
    const receivedBytes = countReceivedBytes(incoming);
    const requestId = newRequestId();
    const method = incoming.method ?? 'GET';
    // Listening from the first moment: a client may close the connection while its request is still being
    // answered (after sending a whole upload, say), and that request must still be logged, audited and counted.
    const closed = new Promise<void>((resolve) => outgoing.once('close', resolve));
    const info: RequestInfo = {};
    const report: RouteReport = { corsHeaders: true };
    let response: S3Response;
    deps.operator?.metrics.requestStarted();
    try {
      response = (await answerBeforeS3(routes, incoming, requestId, info, report)) ?? (await dispatch(incoming, requestId, deps, info));
    } catch (error) {
      const failure = toS3Error(error, deps.log, requestId);
      report.errorCode = failure.code;
      response = errorResponse(failure, method, rawPath(incoming), requestId);
    }
    // An OPTIONS request is answered with its own CORS headers (a preflight) or none.
    // Only a request with an Origin can get Access-Control-* headers: the others skip the bucket lookup's await.
    if (method !== 'OPTIONS' && report.corsHeaders && incoming.headers.origin !== undefined) Object.assign(response.headers, await corsResponseHeaders(incoming, info.bucket, deps.index));
    const stamp = (res: S3Response): S3Response => {
      res.headers['x-amz-request-id'] = requestId;
      res.headers['x-amz-id-2'] = requestId;
      res.headers['server'] = 'sklad';
      return res;
    };
    stamp(response);
    void closed.then(() => {
      const op = report.op ?? info.operation?.name;
      const readOnly = report.readOnly ?? info.operation?.readOnly;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const bytesIn = receivedBytes();
      const bytesOut = outgoing.writableFinished && method !== 'HEAD' ? declaredBytes(response.headers, 'content-length') : 0;
      deps.operator?.metrics.requestFinished({ operation: op ?? 'Unknown', status: response.status, seconds, bytesIn, bytesOut });
      // The admin API and the console record their own events, with the action and target the request log cannot know.
      const audited = deps.audit !== undefined && op !== 'Admin' && op !== 'Console' && isAudited(readOnly, response.status, report.errorCode);
      const logged = deps.log.isLevelEnabled('info');
      // The console's own polling of the feed would only ever show itself: it is left out.
      const fed = deps.requestFeed !== undefined && op !== 'Console' && deps.requestFeed.watched();
      if (!audited && !logged && !fed) return;
      // Built from what dispatch learned and the socket only: no header that could carry a secret.
      const summary = summarizeRequest(incoming, info, {
        requestId, op, readOnly, method, status: response.status, errorCode: report.errorCode, bytesIn, bytesOut, ms: seconds * 1000, complete: outgoing.writableFinished,
      });
      // The handler's outcome (up to a thousand keys of a DeleteObjects) belongs to the audit record only.
      const { outcome: _outcome, ...line } = summary;
      if (logged) deps.log.info(line, 'request');
      if (fed) deps.requestFeed!.push(line);
      const event = audited ? auditEventFor(summary) : undefined;
      if (event) deps.audit!.record(event);
    });
    try {
      await sendResponse(response, outgoing, method);
    } catch (error) {
      // A response that cannot be written (a header value Node refuses) still gets a proper S3 answer.
      if (response.body instanceof Readable) response.body.destroy();
      if (outgoing.headersSent) throw error;
      const failure = toS3Error(error, deps.log, requestId);
      report.errorCode = failure.code;
      response = stamp(errorResponse(failure, method, rawPath(incoming), requestId));
      await sendResponse(response, outgoing, method);
    }
  };
}
