// Runs the aws cli and boto3 against a test server with an environment that carries nothing from the machine.
import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ACCESS_KEY, REGION, SECRET_KEY } from './server.js';

export const execFileAsync = promisify(execFile);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program and resolves with its exit code and output, whatever the exit code. */
export async function run(
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string },
): Promise<RunResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      env: options.env,
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 20_000,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'utf8',
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { code?: number | string; stdout?: string; stderr?: string; killed?: boolean; signal?: string };
    if (typeof err.code !== 'number') {
      const why = err.killed ? `killed by ${err.signal ?? 'signal'} (timeout?)` : String(err.code ?? err.message);
      throw new Error(`${file} ${args.join(' ')} did not run to completion: ${why}\n${err.stderr ?? ''}`);
    }
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Like `run`, but keeps stdout as bytes (for tools that print binary object data). */
export async function runForBytes(
  file: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string },
): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, {
      env: options.env,
      cwd: options.cwd,
      timeout: options.timeoutMs ?? 20_000,
      maxBuffer: 256 * 1024 * 1024,
      encoding: 'buffer',
    });
    return { code: 0, stdout, stderr: stderr.toString('utf8') };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { code?: number | string; stdout?: Buffer; stderr?: Buffer; killed?: boolean; signal?: string };
    if (typeof err.code !== 'number') {
      const why = err.killed ? `killed by ${err.signal ?? 'signal'} (timeout?)` : String(err.code ?? err.message);
      throw new Error(`${file} ${args.join(' ')} did not run to completion: ${why}\n${err.stderr?.toString('utf8') ?? ''}`);
    }
    return { code: err.code, stdout: err.stdout ?? Buffer.alloc(0), stderr: err.stderr?.toString('utf8') ?? '' };
  }
}

/** True when `file args…` starts and exits 0. */
export function canRun(file: string, args: string[]): boolean {
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

export interface IsolatedAwsEnv {
  /** Environment with the test credentials and empty config files; nothing AWS_* from the machine. */
  env(overrides?: Record<string, string>): NodeJS.ProcessEnv;
  dir: string;
  cleanup(): Promise<void>;
}

/** The machine's environment without any variable whose name starts with one of `prefixes`. */
function environmentWithout(prefixes: string[]): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!prefixes.some((p) => k.startsWith(p))) base[k] = v;
  }
  return base;
}

/** Creates a temporary folder with empty aws config and credentials files and an environment that uses them. */
export async function isolatedAwsEnv(): Promise<IsolatedAwsEnv> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sklad-clients-'));
  const configFile = path.join(dir, 'config');
  const credentialsFile = path.join(dir, 'credentials');
  await writeFile(configFile, '');
  await writeFile(credentialsFile, '');
  const base = environmentWithout(['AWS_', 'BOTO_']);
  return {
    dir,
    env(overrides = {}) {
      return {
        ...base,
        AWS_ACCESS_KEY_ID: ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY: SECRET_KEY,
        AWS_DEFAULT_REGION: REGION,
        AWS_CONFIG_FILE: configFile,
        AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
        PYTHONIOENCODING: 'utf-8',
        ...overrides,
      };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Extracts the error code from an S3 XML error body. */
export function xmlErrorCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}

export interface IsolatedToolEnv {
  /** Temporary folder; it is also HOME, so no tool reads a configuration file of the machine's user. */
  dir: string;
  /** The machine's environment without AWS_*, BOTO_*, RCLONE_*, RESTIC_*, S3CMD_* and MINIO_* variables, HOME=dir, plus `overrides`. */
  env(overrides?: Record<string, string>): NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** A temporary HOME and a clean environment for third-party S3 tools (rclone, s3cmd, restic). */
export async function isolatedToolEnv(): Promise<IsolatedToolEnv> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sklad-tools-'));
  const base = environmentWithout(['AWS_', 'BOTO_', 'RCLONE_', 'RESTIC_', 'S3CMD_', 'MINIO_']);
  return {
    dir,
    env: (overrides = {}) => ({ ...base, HOME: dir, XDG_CONFIG_HOME: path.join(dir, '.config'), XDG_CACHE_HOME: path.join(dir, '.cache'), ...overrides }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Variables that give rclone a remote named `sklad` on `endpoint` with the test credentials, path-style. */
export function rcloneRemote(tools: IsolatedToolEnv, endpoint: string): NodeJS.ProcessEnv {
  return tools.env({
    RCLONE_CONFIG: path.join(tools.dir, 'rclone.conf'),
    RCLONE_CONFIG_SKLAD_TYPE: 's3',
    RCLONE_CONFIG_SKLAD_PROVIDER: 'Other',
    RCLONE_CONFIG_SKLAD_ENDPOINT: endpoint,
    RCLONE_CONFIG_SKLAD_ACCESS_KEY_ID: ACCESS_KEY,
    RCLONE_CONFIG_SKLAD_SECRET_ACCESS_KEY: SECRET_KEY,
    RCLONE_CONFIG_SKLAD_REGION: REGION,
    RCLONE_CONFIG_SKLAD_FORCE_PATH_STYLE: 'true',
  });
}

/** A client the tests drive is missing: the test command installs them all, so this fails the run, never skips it. */
function notInstalled(what: string): Error {
  return new Error(`${what} is not installed: run test/install-system-deps.sh (the test command does)`);
}

/** Whether an executable named `file` is on PATH (found without running it: starting the aws cli takes seconds). */
function onPath(file: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    try {
      accessSync(path.join(dir, file), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Throws unless the aws cli is on PATH. */
export function requireAwsCli(): void {
  if (!onPath('aws')) throw notInstalled('the aws cli ("aws")');
}

let pythonWithBoto3: string | undefined;

/**
 * The Python that has boto3: python3 on PATH, else Debian's /usr/bin/python3 (where the python3-boto3 package that
 * test/install-system-deps.sh installs puts it). Throws when neither has it.
 */
export function boto3Python(): string {
  pythonWithBoto3 ??= ['python3', '/usr/bin/python3'].find((p) => canRun(p, ['-c', 'import boto3, botocore']));
  if (pythonWithBoto3 === undefined) throw notInstalled('boto3 (python3 -c "import boto3, botocore")');
  return pythonWithBoto3;
}

/** The first line that `file args…` prints (stdout, else stderr), or undefined when it does not start. */
export function toolVersion(file: string, args: string[]): string | undefined {
  try {
    const out = execFileSync(file, args, { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    return out.trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Writes `files` (relative path → content) under `root`, creating folders as needed. */
export async function writeTree(root: string, files: Record<string, Buffer | string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const target = path.join(root, rel);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** Every regular file under `root` as relative path (with '/') → content. */
export async function readTree(root: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out.set(path.relative(root, full).split(path.sep).join('/'), await readFile(full));
  }
  return out;
}
