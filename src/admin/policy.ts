// Identity policies as the admin API accepts them: validated by the policy engine's own parser, so a
// document that is stored is one the engine can evaluate, and kept as compact JSON text.
import { parsePolicy } from '../policy/document.js';
import { isPolicyError } from '../policy/errors.js';
import { AdminError } from './errors.js';

function malformed(message: string): AdminError {
  return new AdminError(400, 'MalformedPolicy', message);
}

/** The policy text to store for a document given as JSON text (PUT …/policy) or inline (POST /users). */
export function validatePolicy(document: string | object): string {
  let text: string;
  if (typeof document === 'string') {
    try {
      text = JSON.stringify(JSON.parse(document));
    } catch (e) {
      throw malformed(`The policy is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    text = JSON.stringify(document);
  }
  try {
    parsePolicy(text, { kind: 'identity' });
  } catch (e) {
    if (isPolicyError(e)) throw malformed(e.message);
    throw e;
  }
  return text;
}

/** A stored policy as a JSON value for responses. */
export function policyDocument(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Stored policies were validated on the way in; a damaged one is still shown rather than hidden.
    return text;
  }
}
