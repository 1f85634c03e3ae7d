// A server like test/support/server.ts starts, whose request-log lines the test reads back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { loadConfig } from '../../src/config/load-config.js';
import { startServer } from '../../src/server.js';
import { ACCESS_KEY, SECRET_KEY } from './server.js';

export interface LogLine {
  level: number;
  msg?: string;
  [field: string]: unknown;
}

export interface CapturedServer {
  dataDir: string;
  endpoint: string;
  port: number;
  raw: string[];
  lines(): LogLine[];
  stop(): Promise<void>;
  /** Stops the server (if running) and removes its data folder. */
  cleanup(): Promise<void>;
}

export async function startCapturedServer(env: Record<string, string> = {}): Promise<CapturedServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-captured-'));
  const raw: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void raw.push(line) });
  const server = await startServer(
    loadConfig({ data: dataDir, host: '127.0.0.1', port: '0' }, { SKLAD_ACCESS_KEY: ACCESS_KEY, SKLAD_SECRET_KEY: SECRET_KEY, SKLAD_SHUTDOWN_GRACE_MS: '2000', ...env }),
    log,
  );
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= server.close());
  return {
    dataDir,
    endpoint: `http://127.0.0.1:${server.port}`,
    port: server.port,
    raw,
    lines: () => raw.map((l) => JSON.parse(l) as LogLine),
    stop,
    cleanup: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits, a bounded number of rounds, until `check` holds. */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gave up waiting for ${what}`);
}
