// Reads the YAML config file given by --config / SKLAD_CONFIG and checks every key and type against the
// settings table, so a typo fails the start with the file and key named instead of being ignored.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './config.js';
import { closestKey, invalidValue, settingFor, type Setting } from './settings.js';

export interface ConfigFile {
  path: string;
  /** Each present key's value as a string, the form flags and environment variables take too. */
  values: Map<string, string>;
  /** Problems that do not stop the start, e.g. secrets in a file other users can read. */
  warnings: string[];
}

function describe(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

/** The value as a string, or a reason why its YAML type does not fit the setting. */
function stringValue(s: Setting, value: unknown, dir: string): string | { wrong: string } {
  switch (s.type) {
    case 'integer':
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : { wrong: `must be a number, got ${describe(value)}` };
    case 'boolean':
      // YAML 1.2 reads on/off as strings; they are accepted like true/false, as in the environment.
      return typeof value === 'boolean' || typeof value === 'string' ? String(value) : { wrong: `must be true or false, got ${describe(value)}` };
    case 'list':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
      return typeof value === 'string' ? value : { wrong: `must be a list of strings, got ${describe(value)}` };
    case 'path':
      // Relative paths in a file are relative to the file, not to wherever the server was started.
      return typeof value === 'string' && value !== '' ? path.resolve(dir, value) : { wrong: `must be a path, got ${describe(value)}` };
    case 'string':
      return typeof value === 'string' ? value : { wrong: `must be a string, got ${describe(value)}` };
  }
}

export function readConfigFile(file: string): ConfigFile {
  const full = path.resolve(file);
  let text: string;
  let mode: number;
  try {
    text = readFileSync(full, 'utf8');
    mode = statSync(full).mode;
  } catch (e) {
    throw new ConfigError(`cannot read config file ${full}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new ConfigError(`config file ${full} is not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`config file ${full} must be a mapping of key: value lines`);

  const values = new Map<string, string>();
  const problems: string[] = [];
  let holdsSecret = false;
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const s = settingFor(key);
    if (s === undefined) {
      const near = closestKey(key);
      problems.push(`unknown key "${key}"${near ? ` (did you mean "${near}"?)` : ''}`);
      continue;
    }
    if (value === null) continue; // `key:` with nothing after it leaves the default in place
    const str = stringValue(s, value, path.dirname(full));
    const why = typeof str === 'string' ? invalidValue(s, str) : str.wrong;
    if (why !== undefined) {
      problems.push(`${key} ${why}`);
      continue;
    }
    values.set(key, str as string);
    if (s.secret) holdsSecret = true;
  }
  if (problems.length > 0) throw new ConfigError(`config file ${full}: ${problems.join('; ')}`);

  const warnings: string[] = [];
  if (holdsSecret && (mode & 0o077) !== 0) {
    warnings.push(`config file ${full} holds secrets but other users may read it (mode ${(mode & 0o777).toString(8)}): chmod 600 it`);
  }
  return { path: full, values, warnings };
}
