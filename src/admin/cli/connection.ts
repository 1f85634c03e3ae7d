// Where the admin CLI connects and with which credentials. Explicit flags win over the environment;
// `--data DIR` reads the root credentials a server generated in its data folder.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from './client.js';
import { parseRootCredentials, ROOT_CREDENTIALS_FILE } from '../../data-folder/root-credentials.js';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ConnectionFlags {
  endpoint?: string;
  'access-key'?: string;
  'secret-key'?: string;
  data?: string;
  'ca-bundle'?: string;
  region?: string;
}

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9000';

function readRootCredentials(dataDir: string): { accessKey: string; secretKey: string } {
  const file = path.join(dataDir, ROOT_CREDENTIALS_FILE);
  try {
    return parseRootCredentials(readFileSync(file, 'utf8'), file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'it does not exist (a server given SKLAD_ACCESS_KEY/SKLAD_SECRET_KEY does not write one: pass those instead)'
      : (e as Error).message;
    throw new UsageError(`cannot read root credentials from ${file}: ${why}`);
  }
}

/**
 * Credentials, first found wins: --access-key/--secret-key, --data DIR, SKLAD_ACCESS_KEY/SKLAD_SECRET_KEY,
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SKLAD_DATA. A flag beats the environment so that an AWS key
 * exported for other tools never silently replaces the credentials named on the command line.
 */
function credentials(flags: ConnectionFlags, env: NodeJS.ProcessEnv): { accessKey: string; secretKey: string } {
  const pair = (a: string | undefined, s: string | undefined, what: string): { accessKey: string; secretKey: string } | undefined => {
    if (a && s) return { accessKey: a, secretKey: s };
    if (a || s) throw new UsageError(`${what}: give both the access key and the secret key`);
    return undefined;
  };
  const found =
    pair(flags['access-key'], flags['secret-key'], '--access-key/--secret-key') ??
    (flags.data !== undefined ? readRootCredentials(flags.data) : undefined) ??
    pair(env.SKLAD_ACCESS_KEY, env.SKLAD_SECRET_KEY, 'SKLAD_ACCESS_KEY/SKLAD_SECRET_KEY') ??
    pair(env.AWS_ACCESS_KEY_ID, env.AWS_SECRET_ACCESS_KEY, 'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY') ??
    (env.SKLAD_DATA ? readRootCredentials(env.SKLAD_DATA) : undefined);
  if (found === undefined) {
    throw new UsageError('no credentials: pass --access-key and --secret-key, --data DIR on the server machine, or set SKLAD_ACCESS_KEY/SKLAD_SECRET_KEY');
  }
  return found;
}

export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Connection {
  const raw = flags.endpoint ?? env.SKLAD_ENDPOINT ?? DEFAULT_ENDPOINT;
  let endpoint: URL;
  try {
    endpoint = new URL(raw);
  } catch {
    throw new UsageError(`--endpoint ${raw} is not a URL (e.g. ${DEFAULT_ENDPOINT})`);
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') throw new UsageError(`--endpoint must be http:// or https://, not ${endpoint.protocol}`);
  let ca: Buffer | undefined;
  if (flags['ca-bundle'] !== undefined) {
    try {
      ca = readFileSync(flags['ca-bundle']);
    } catch (e) {
      throw new UsageError(`cannot read --ca-bundle ${flags['ca-bundle']}: ${(e as Error).message}`);
    }
  }
  return { endpoint, ...credentials(flags, env), region: flags.region ?? env.SKLAD_REGION ?? 'us-east-1', ca };
}
