// The Condition element, after "IAM JSON policy elements: Condition operators" and "Single-valued vs. multivalued
// context keys":
// - a block is true when every operator in it is true, and an operator is true when every key under it is true (AND);
// - the values listed for one key are alternatives (OR); a negated operator (StringNotEquals, NotIpAddress, …)
//   is true when the request value matches none of them (NOR);
// - a key missing from the request makes a positive operator false and a negated one true, except:
//   `…IfExists` is true when the key is missing, `Null` tests presence itself, `ForAllValues:` is true for a missing
//   (empty) key and `ForAnyValue:` is false;
// - `ForAnyValue:` needs at least one request value to satisfy the operator, `ForAllValues:` needs all of them.

import { cidrContains, parseCidr, parseIp } from './ip.js';
import { compilePattern, matchUnits, resolveText, type VariableLookup } from './match.js';

/** operator name → condition key → the policy's values for that key (normalised to strings). */
export type ConditionBlock = Record<string, Record<string, string[]>>;

/** Request-context keys (aws:SourceIp, s3:prefix, …) and their values; undefined means absent. */
export type ConditionContext = Record<string, string | string[] | undefined>;

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

interface OperatorSpec {
  family: Family;
  negated: boolean;
  /** The positive comparison of one request value with one policy value. */
  compare: (request: string, policy: string, variables: VariableLookup | undefined) => boolean;
}

export interface ParsedOperator {
  name: string;
  base: string;
  set: 'ForAnyValue' | 'ForAllValues' | undefined;
  ifExists: boolean;
  spec: OperatorSpec;
}

const str = (compare: OperatorSpec['compare'], negated = false, family: Family = 'string'): OperatorSpec => ({ family, negated, compare });

const stringEquals: OperatorSpec['compare'] = (r, p, vars) => resolveText(p, vars) === r;
const stringEqualsIgnoreCase: OperatorSpec['compare'] = (r, p, vars) => resolveText(p, vars)?.toLowerCase() === r.toLowerCase();
const stringLike: OperatorSpec['compare'] = (r, p, vars) => {
  const units = compilePattern(p, { wildcards: true, variables: vars });
  return units !== undefined && matchUnits(units, r);
};
const numeric = (op: (a: number, b: number) => boolean): OperatorSpec['compare'] => (r, p) => {
  const a = parseNumber(r);
  const b = parseNumber(p);
  return a !== undefined && b !== undefined && op(a, b);
};
const date = (op: (a: number, b: number) => boolean): OperatorSpec['compare'] => (r, p) => {
  const a = parseDate(r);
  const b = parseDate(p);
  return a !== undefined && b !== undefined && op(a, b);
};
const ipCompare: OperatorSpec['compare'] = (r, p) => {
  const ip = parseIp(r);
  const cidr = parseCidr(p);
  return ip !== undefined && cidr !== undefined && cidrContains(cidr, ip);
};
const boolCompare: OperatorSpec['compare'] = (r, p, vars) => resolveText(p, vars)?.toLowerCase() === r.toLowerCase();
const eq = (a: number, b: number): boolean => a === b;
const lt = (a: number, b: number): boolean => a < b;
const le = (a: number, b: number): boolean => a <= b;
const gt = (a: number, b: number): boolean => a > b;
const ge = (a: number, b: number): boolean => a >= b;

const OPERATORS: Readonly<Record<string, OperatorSpec>> = {
  StringEquals: str(stringEquals),
  StringNotEquals: str(stringEquals, true),
  StringEqualsIgnoreCase: str(stringEqualsIgnoreCase, false, 'stringIgnoreCase'),
  StringNotEqualsIgnoreCase: str(stringEqualsIgnoreCase, true, 'stringIgnoreCase'),
  StringLike: str(stringLike, false, 'stringLike'),
  StringNotLike: str(stringLike, true, 'stringLike'),
  NumericEquals: str(numeric(eq), false, 'numeric'),
  NumericNotEquals: str(numeric(eq), true, 'numeric'),
  NumericLessThan: str(numeric(lt), false, 'numeric'),
  NumericLessThanEquals: str(numeric(le), false, 'numeric'),
  NumericGreaterThan: str(numeric(gt), false, 'numeric'),
  NumericGreaterThanEquals: str(numeric(ge), false, 'numeric'),
  DateEquals: str(date(eq), false, 'date'),
  DateNotEquals: str(date(eq), true, 'date'),
  DateLessThan: str(date(lt), false, 'date'),
  DateLessThanEquals: str(date(le), false, 'date'),
  DateGreaterThan: str(date(gt), false, 'date'),
  DateGreaterThanEquals: str(date(ge), false, 'date'),
  Bool: str(boolCompare, false, 'bool'),
  BinaryEquals: str((r, p) => r === p, false, 'binary'),
  IpAddress: str(ipCompare, false, 'ip'),
  NotIpAddress: str(ipCompare, true, 'ip'),
  ArnEquals: str(arnLike, false, 'arn'),
  ArnLike: str(arnLike, false, 'arn'),
  ArnNotEquals: str(arnLike, true, 'arn'),
  ArnNotLike: str(arnLike, true, 'arn'),
  Null: str(() => false, false, 'null'),
};

/** Splits "ForAnyValue:StringLikeIfExists" into its parts; undefined for an operator AWS does not define. */
export function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator['set'];
  for (const prefix of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${prefix}:`)) {
      set = prefix;
      rest = rest.slice(prefix.length + 1);
    }
  }
  let ifExists = false;
  if (rest.endsWith('IfExists')) {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const spec = Object.hasOwn(OPERATORS, rest) ? OPERATORS[rest] : undefined;
  if (!spec) return undefined;
  // Null tests presence by itself: "…IfExists" and set prefixes have no meaning for it.
  if (spec.family === 'null' && (ifExists || set)) return undefined;
  return { name, base: rest, set, ifExists, spec };
}

/** Why a policy value cannot be used with an operator, or undefined when it can. Values with variables pass. */
export function invalidConditionValue(op: ParsedOperator, value: string): string | undefined {
  const { family } = op.spec;
  const bad = `Invalid value for ${op.base} condition: ${JSON.stringify(value)}`;
  switch (family) {
    case 'numeric':
      return parseNumber(value) === undefined ? bad : undefined;
    case 'date':
      return parseDate(value) === undefined ? bad : undefined;
    case 'ip':
      return parseCidr(value) === undefined ? bad : undefined;
    case 'bool':
    case 'null':
      return /^(true|false)$/i.test(value) || (family === 'bool' && value.includes('${')) ? undefined : bad;
    default:
      return undefined;
  }
}

/** The request's values for a condition key (names compare case-insensitively); undefined when absent. */
export function contextValues(context: ConditionContext, key: string): string[] | undefined {
  let value = context[key];
  if (value === undefined) {
    const lower = key.toLowerCase();
    for (const [k, v] of Object.entries(context)) {
      if (k.toLowerCase() === lower && v !== undefined) {
        value = v;
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  const values = typeof value === 'string' ? [value] : value;
  return values;
}

/** Evaluates a whole Condition element; an absent element is true. */
export function evaluateConditions(
  block: ConditionBlock | undefined,
  context: ConditionContext,
  variables?: VariableLookup,
): boolean {
  if (!block) return true;
  for (const [name, keys] of Object.entries(block)) {
    const op = parseOperator(name);
    // Documents are validated on parse; an unknown operator here can only come from a hand-built document.
    if (!op) return false;
    for (const [key, values] of Object.entries(keys)) {
      if (!evaluateKey(op, contextValues(context, key), values, variables)) return false;
    }
  }
  return true;
}

function evaluateKey(
  op: ParsedOperator,
  requestValues: string[] | undefined,
  policyValues: readonly string[],
  variables: VariableLookup | undefined,
): boolean {
  if (op.spec.family === 'null') {
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyValues.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const present = requestValues !== undefined && (requestValues.length > 0 || op.set !== undefined);
  if (!present) {
    if (op.ifExists) return true;
    if (op.set === 'ForAllValues') return true;
    if (op.set === 'ForAnyValue') return false;
    return op.spec.negated;
  }
  // One request value satisfies the operator when it matches any policy value (or, negated, none of them).
  const satisfies = (r: string): boolean => {
    const hit = policyValues.some((p) => op.spec.compare(r, p, variables));
    return op.spec.negated ? !hit : hit;
  };
  if (op.set === 'ForAllValues') return requestValues.every(satisfies);
  if (op.set === 'ForAnyValue') return requestValues.some(satisfies);
  // A multivalued key used without a set operator: a positive operator needs one satisfying value, a negated
  // one needs every value to avoid the listed ones (the stricter reading, so a Deny cannot be slipped past).
  return op.spec.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
}

/** ArnEquals/ArnLike: each of the six colon-separated ARN parts matches separately, with `*`/`?` wildcards. */
function arnLike(request: string, policy: string, variables: VariableLookup | undefined): boolean {
  const r = splitArn(request);
  const p = splitArn(policy);
  if (!r || !p) return false;
  return p.every((part, i) => {
    const units = compilePattern(part, { wildcards: true, variables });
    return units !== undefined && matchUnits(units, r[i] ?? '');
  });
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

export function parseNumber(text: string): number | undefined {
  const s = text.trim();
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** ISO 8601 dates/times (W3C profile) or epoch seconds, as milliseconds since the epoch. */
export function parseDate(text: string): number | undefined {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[Tt ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)([Zz]|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  const [, day, time, zone] = m;
  // A time without an offset is UTC (JavaScript would read it as local time).
  const offset = zone === undefined || /^z$/i.test(zone) ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(time === undefined ? `${day}T00:00:00Z` : `${day}T${time}${offset}`);
  return Number.isNaN(ms) ? undefined : ms;
}
