// Which requests the audit log keeps: every operation that may change state (the operation table says which
// only read), and every request refused for lack of identity or permission, read or not.

/** Errors that mean "who you are, or what you may do, was not accepted" although their status is 400. */
const AUTH_ERRORS_400 = new Set(['AuthorizationHeaderMalformed', 'AuthorizationQueryParametersError', 'ExpiredToken']);
/** A 403 that is about the object, not the caller (a quarantined object). */
const NOT_A_DENIAL_403 = new Set(['InvalidObjectState']);

export function isDenial(status: number, errorCode: string | undefined): boolean {
  if (errorCode !== undefined && AUTH_ERRORS_400.has(errorCode)) return true;
  return (status === 401 || status === 403) && !(errorCode !== undefined && NOT_A_DENIAL_403.has(errorCode));
}

/**
 * Whether a finished request belongs in the audit log. `readOnly` is the operation's fact, undefined when no
 * operation matched the request.
 */
export function isAudited(readOnly: boolean | undefined, status: number, errorCode: string | undefined): boolean {
  if (isDenial(status, errorCode)) return true;
  return readOnly === false;
}
