// What authentication sees of a request, how it is configured, and what it concludes.
import type { CredentialStore, Principal } from './credentials.js';
import type { PayloadMode } from './sigv4/payload-mode.js';

export interface RequestView {
  method: string;
  /** The request target exactly as received (path + '?' + query), never normalised. */
  rawTarget: string;
  /**
   * Lower-case names; repeated headers already joined with ','. Values are as Node reads them off the wire:
   * one character per byte (latin1), so a value's raw bytes are `Buffer.from(value, 'latin1')`.
   */
  headers: Map<string, string>;
  /** Lower-case names of the headers sent more than once (they are joined in `headers`). */
  repeatedHeaders?: ReadonlySet<string>;
  now: Date;
}

export interface AuthOptions {
  /**
   * The region SigV4 signatures must name. Undefined accepts the region a client signs with (an operator who set
   * no region serves every client, whatever region it was configured with or derived from the endpoint's name).
   */
  region: string | undefined;
  credentials: CredentialStore;
  /** Largest accepted clock difference for header-signed requests (default 900). */
  maxSkewSeconds?: number;
  /** Longest accepted X-Amz-Expires, and longest SigV2 `Expires` from now (default 604800, seven days). */
  maxPresignSeconds?: number;
  /** Set when the bucket came from the Host header; SigV2 signs it as part of the resource. */
  virtualHostBucket?: string;
}

export interface AuthResult {
  /** null: the request carried no authentication at all. */
  principal: Principal | null;
  payload: PayloadMode;
  /** The region of a SigV4 signature's credential scope. */
  signedRegion?: string;
}

export const DEFAULT_MAX_SKEW_SECONDS = 900;
export const DEFAULT_MAX_PRESIGN_SECONDS = 604_800;
