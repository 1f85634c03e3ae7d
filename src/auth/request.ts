// What authentication sees of a request, how it is configured, and what it concludes.
import type { CredentialStore, Principal } from './credentials.js';
import type { PayloadMode } from './sigv4/payload-mode.js';

export interface RequestView {
  method: string;
  /** The request target exactly as received (path + '?' + query), never normalised. */
  rawTarget: string;
  /** Lower-case names; repeated headers already joined with ','. */
  headers: Map<string, string>;
  now: Date;
}

export interface AuthOptions {
  region: string;
  credentials: CredentialStore;
  /** Largest accepted clock difference for header-signed requests (default 900). */
  maxSkewSeconds?: number;
  /** Longest accepted X-Amz-Expires (default 604800, seven days). */
  maxPresignSeconds?: number;
  /** Set when the bucket came from the Host header; SigV2 signs it as part of the resource. */
  virtualHostBucket?: string;
}

export interface AuthResult {
  /** null: the request carried no authentication at all. */
  principal: Principal | null;
  payload: PayloadMode;
}

export const DEFAULT_MAX_SKEW_SECONDS = 900;
export const DEFAULT_MAX_PRESIGN_SECONDS = 604_800;
