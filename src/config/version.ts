// The running sklad's version, from package.json (one source for the CLI, the admin API and metrics).
import { createRequire } from 'node:module';

export const SKLAD_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
