// What the S3 port answers before S3 dispatch, in order: the operator endpoints (/health, /metrics), the web
// console, the admin API and CORS preflights. Each route says how its answers are reported (operation name for
// metrics, the request log and the audit log; whether the bucket's Access-Control-* headers are added); the first
// route that answers wins, and a request none of them answers is an S3 request.
import type { IncomingMessage } from 'node:http';
import type { AdminEndpoint } from './admin/api.js';
import type { ConsoleEndpoint } from './console/endpoint.js';
import { preflightResponse } from './http/cors.js';
import type { RequestInfo } from './http/dispatch.js';
import { operatorResponse, type OperatorEndpoints } from './observability/endpoints.js';
import type { S3Response } from './s3/respond.js';
import type { MetadataIndex } from './storage/metadata-index.js';

export interface RouteAnswer {
  response: S3Response;
  /** The operation this answer is reported as, when the route names each answer itself (the console). */
  op?: string;
  /** The S3 error code of a failed request the route carried, for the audit log's classification. */
  errorCode?: string;
}

export interface PreS3Route {
  /** The operation its answers are reported as; undefined leaves it to what dispatch learned (`info.operation`). */
  op?: string;
  readOnly?: boolean;
  /** Whether the requested bucket's Access-Control-* headers are added to its answers. */
  corsHeaders: boolean;
  /**
   * A route with a matcher owns every request it matches and is named before it answers, so that its refusals
   * are reported as its own. A route without one is asked to answer, and passes by answering undefined: its
   * endpoint alone knows which requests are its own (paths, the metrics token, virtual-host buckets).
   */
  matches?(incoming: IncomingMessage): boolean;
  answer(incoming: IncomingMessage, requestId: string, info: RequestInfo): Promise<RouteAnswer | undefined>;
}

export interface PreS3Endpoints {
  operator?: OperatorEndpoints;
  console?: ConsoleEndpoint;
  admin?: AdminEndpoint;
  index: MetadataIndex;
  /** The virtual-host domain, for the bucket a preflight names. */
  domain: string | undefined;
}

const answered = (response: S3Response | undefined): RouteAnswer | undefined => (response === undefined ? undefined : { response });

/** The routes in the order they are asked; endpoints that are not configured have none. */
export function preS3Routes(e: PreS3Endpoints): PreS3Route[] {
  const routes: PreS3Route[] = [];
  const { operator, console: webConsole, admin } = e;
  if (operator) {
    routes.push({ op: 'Operator', readOnly: true, corsHeaders: true, answer: async (incoming) => answered(await operatorResponse(incoming, operator)) });
  }
  if (webConsole) {
    routes.push({
      // Console paths never answer with CORS headers, whatever the bucket a console request touched allows.
      corsHeaders: false,
      answer: async (incoming, requestId, info) => {
        const carried = await webConsole(incoming, requestId, info);
        if (carried === undefined) return undefined;
        // The console's S3 requests are S3 requests: dispatch names their operation in `info`, as for signed ones.
        return { response: carried.response, op: carried.via === 'S3' ? undefined : carried.via, errorCode: carried.errorCode };
      },
    });
  }
  if (admin) {
    routes.push({ op: 'Admin', corsHeaders: true, answer: async (incoming, requestId, info) => answered(await admin(incoming, requestId, info)) });
  }
  // A CORS preflight is not an S3 operation: no signature, answered from the bucket's CORS rules.
  routes.push({
    op: 'PreflightRequest',
    readOnly: true,
    corsHeaders: false,
    matches: (incoming) => incoming.method === 'OPTIONS',
    answer: async (incoming, _requestId, info) => answered(await preflightResponse(incoming, e.index, e.domain, info)),
  });
  return routes;
}

/** How a request is reported, as far as the route that answered it decides. */
export interface RouteReport {
  op?: string;
  readOnly?: boolean;
  errorCode?: string;
  /** Whether the answer gets the requested bucket's Access-Control-* headers (S3's answers and errors do). */
  corsHeaders: boolean;
}

/**
 * The answer of the first route that answers, or undefined for an S3 request. `report` is filled as routes claim
 * the request, so it is right even when the answering route throws.
 */
export async function answerBeforeS3(
  routes: readonly PreS3Route[],
  incoming: IncomingMessage,
  requestId: string,
  info: RequestInfo,
  report: RouteReport,
): Promise<S3Response | undefined> {
  for (const route of routes) {
    if (route.matches !== undefined && !route.matches(incoming)) continue;
    const claim = (): void => {
      Object.assign(report, { op: route.op, readOnly: route.readOnly, corsHeaders: route.corsHeaders });
    };
    if (route.matches !== undefined) claim();
    const answer = await route.answer(incoming, requestId, info);
    if (answer === undefined) continue;
    claim();
    if (answer.op !== undefined) report.op = answer.op;
    if (answer.errorCode !== undefined) report.errorCode = answer.errorCode;
    return answer.response;
  }
  return undefined;
}
