// Runs `node bin/sklad …` as a child process with a clean environment (no SKLAD_* from the machine), for tests of
// the command line itself: config files, signals, TLS reloads.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const bin = path.resolve('bin/sklad');

export interface ChildServer {
  child: ChildProcess;
  port: number;
  url: string;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /** Polls the output (bounded) until `pattern` shows up. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SKLAD_'))), ...extra };
}

/** Starts `sklad serve ARGS` and waits for its `sklad listening on …` line. */
export async function startChild(args: string[], env: Record<string, string> = {}, cwd?: string): Promise<ChildServer> {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { env: cleanEnv(env), cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const append = (d: Buffer): void => {
    output += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const l of listeners) l();
  });
  const waitForOutput = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = pattern.exec(output);
        if (m) {
          finish();
          resolve(m);
        } else if (done) {
          finish();
          reject(new Error(`process exited before printing ${pattern}:\n${output}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${output}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });
  const m = await waitForOutput(/sklad listening on (https?):\/\/[^:\s]+:(\d+)/);
  const port = Number(m[2]);
  return {
    child,
    port,
    url: `${m[1]}://127.0.0.1:${port}`,
    output: () => output,
    exited,
    waitForOutput,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
