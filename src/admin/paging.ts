// Pages of the admin API's lists: `limit` (1..1000, default 1000) and `marker` (the last name of the previous
// page, exclusive), answered with `isTruncated` and `nextMarker`, the way S3's ListObjects pages.
import { invalidInput } from './errors.js';

export const MAX_PAGE_SIZE = 1000;

export interface PageRequest {
  limit: number;
  /** Exclusive start: entries whose name sorts after it. */
  marker?: string;
}

export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  nextMarker?: string;
}

export function pageRequest(query: URLSearchParams): PageRequest {
  const raw = query.get('limit');
  let limit = MAX_PAGE_SIZE;
  if (raw !== null) {
    limit = Number(raw);
    if (!/^\d{1,4}$/.test(raw) || limit < 1 || limit > MAX_PAGE_SIZE) {
      throw invalidInput(`"limit" must be a whole number from 1 to ${MAX_PAGE_SIZE}, not ${JSON.stringify(raw)}.`);
    }
  }
  const marker = query.get('marker');
  return marker === null || marker === '' ? { limit } : { limit, marker };
}

/** Names sort by code unit; user names, key ids and bucket names are ASCII, so this is also byte order. */
export function pageOf<T>(items: readonly T[], nameOf: (item: T) => string, request: PageRequest): Page<T> {
  const after = request.marker;
  const sorted = [...items].sort((a, b) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((item) => nameOf(item) > after);
  const page = rest.slice(0, request.limit);
  const last = page.at(-1);
  return rest.length > page.length && last !== undefined
    ? { items: page, isTruncated: true, nextMarker: nameOf(last) }
    : { items: page, isTruncated: false };
}

/** The page's `isTruncated` and `nextMarker`, as the list documents carry them. */
export function pageMarkers<T>(page: Page<T>): { isTruncated: boolean; nextMarker?: string } {
  return page.nextMarker === undefined ? { isTruncated: page.isTruncated } : { isTruncated: page.isTruncated, nextMarker: page.nextMarker };
}
