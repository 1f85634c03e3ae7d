// Wildcard matching and policy variables, as the IAM policy language defines them.
// - `*` matches any run of characters (also none, also across `/` and `:`), `?` exactly one character.
//   Resources and condition values compare case-sensitively; actions compare case-insensitively
//   (IAM JSON policy elements: Action / Resource).
// - `${name}` is replaced by the single value of request-context key `name` (key names are case-insensitive);
//   `${name, 'default'}` supplies a default; `${*}`, `${?}` and `${$}` stand for the literal characters.
//   A variable that cannot be resolved makes the value match nothing (IAM policy elements: Variables and tags).
//   Variables exist only from policy Version 2012-10-17; before that `${…}` is plain text.

/** One unit of a compiled pattern: a literal character, `*` or `?`. */
export type PatternUnit = { kind: 'char'; char: string } | { kind: 'star' } | { kind: 'one' };

/** Resolves a variable name to its single value, or undefined when the request has none. */
export type VariableLookup = (name: string) => string | undefined;

export interface CompileOptions {
  /** Whether `*` and `?` are wildcards (Resource, Action, StringLike, ArnLike) or plain text (StringEquals). */
  wildcards: boolean;
  /** Resolves `${…}`; omit for 2008-10-17 policies, where `${` is plain text. */
  variables?: VariableLookup;
}

/** Compiles a policy pattern; undefined when it uses a variable that cannot be resolved (→ matches nothing). */
export function compilePattern(pattern: string, opts: CompileOptions): PatternUnit[] | undefined {
  const units: PatternUnit[] = [];
  const pushText = (text: string): void => {
    for (const char of text) units.push({ kind: 'char', char });
  };
  let i = 0;
  while (i < pattern.length) {
    if (opts.variables && pattern.startsWith('${', i)) {
      const end = variableEnd(pattern, i + 2);
      if (end >= 0) {
        const value = resolveVariable(pattern.slice(i + 2, end), opts.variables);
        if (value === undefined) return undefined;
        pushText(value);
        i = end + 1;
        continue;
      }
    }
    const char = String.fromCodePoint(pattern.codePointAt(i) ?? 0);
    if (opts.wildcards && char === '*') units.push({ kind: 'star' });
    else if (opts.wildcards && char === '?') units.push({ kind: 'one' });
    else units.push({ kind: 'char', char });
    i += char.length;
  }
  return units;
}

/** Resolves variables in a value that is compared literally (StringEquals, Bool …); undefined if unresolvable. */
export function resolveText(text: string, variables: VariableLookup | undefined): string | undefined {
  const units = compilePattern(text, { wildcards: false, variables });
  return units?.map((u) => (u.kind === 'char' ? u.char : '')).join('');
}

/** Matches a compiled pattern against a whole value (greedy-with-backtracking glob, linear in practice). */
export function matchUnits(units: readonly PatternUnit[], value: string, ignoreCase = false): boolean {
  const chars = Array.from(ignoreCase ? value.toLowerCase() : value);
  const eq = (u: PatternUnit, c: string | undefined): boolean =>
    u.kind === 'one' || (u.kind === 'char' && (ignoreCase ? u.char.toLowerCase() : u.char) === c);
  let p = 0;
  let v = 0;
  let starP = -1;
  let starV = 0;
  while (v < chars.length) {
    const u = units[p];
    if (u !== undefined && u.kind !== 'star' && eq(u, chars[v])) {
      p++;
      v++;
    } else if (u !== undefined && u.kind === 'star') {
      starP = p++;
      starV = v;
    } else if (starP >= 0) {
      p = starP + 1;
      v = ++starV;
    } else {
      return false;
    }
  }
  while (units[p]?.kind === 'star') p++;
  return p === units.length;
}

export interface MatchOptions {
  ignoreCase?: boolean;
  variables?: VariableLookup;
}

/** Convenience: does `pattern` (with `*`/`?` wildcards and optional variables) match all of `value`? */
export function wildcardMatch(pattern: string, value: string, opts: MatchOptions = {}): boolean {
  const units = compilePattern(pattern, { wildcards: true, variables: opts.variables });
  return units !== undefined && matchUnits(units, value, opts.ignoreCase ?? false);
}

/** Whether a string contains a `${…}` policy variable reference. */
export function hasVariable(text: string): boolean {
  return /\$\{[^}]*\}/.test(text);
}

/** Index of the `}` closing a variable that starts at `from`, honouring quoted defaults; -1 when unterminated. */
function variableEnd(text: string, from: number): number {
  let inQuote = false;
  for (let j = from; j < text.length; j++) {
    const c = text[j];
    if (c === "'") {
      // Inside a default, '' is an escaped quote: skip both characters.
      if (inQuote && text[j + 1] === "'") j++;
      else inQuote = !inQuote;
    } else if (c === '}' && !inQuote) {
      return j;
    }
  }
  return -1;
}

const VARIABLE = /^\s*([^\s,']+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$/;

function resolveVariable(body: string, lookup: VariableLookup): string | undefined {
  if (body === '*' || body === '?' || body === '$') return body;
  const m = VARIABLE.exec(body);
  if (!m) return undefined;
  const [, name = '', fallback] = m;
  return lookup(name) ?? fallback?.replaceAll("''", "'");
}
