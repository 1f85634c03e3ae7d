// Replays the Dockerfile without a Docker engine: the build context as .dockerignore leaves it, each stage's
// COPY / WORKDIR / ENV / RUN in a temporary folder standing for that stage's filesystem root, then the runtime
// stage started with its ENTRYPOINT, CMD and ENV and probed with its HEALTHCHECK and an S3 client. Every step
// comes from the Dockerfile, so a wrong COPY path, a failing RUN or a broken entry point fails this test.
import { execFile, spawn } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { dockerignore, execForm, parseDockerfile, parseEnv, splitOptions, type Instruction } from '../support/dockerfile.js';
import { ACCESS_KEY, REGION, SECRET_KEY } from '../support/server.js';

const repo = path.resolve('.');
const run = promisify(execFile);
let work: string;
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

interface Stage {
  name?: string;
  image: string;
  /** Temporary folder standing for the stage's filesystem root. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user?: string;
  volumes: string[];
  exposed: string[];
  healthcheck?: string;
  stopSignal?: string;
  entrypoint: string[];
  cmd: string[];
}

/** The build context: the repository minus what .dockerignore excludes. */
async function buildContext(into: string): Promise<void> {
  const ignoreText = await readFile(path.join(repo, '.dockerignore'), 'utf8').catch(() => '');
  const ignored = dockerignore(ignoreText);
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(repo, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (ignored(child)) continue;
      if (entry.isDirectory()) await walk(child);
      else if (entry.isFile()) await cp(path.join(repo, child), path.join(into, child));
    }
  };
  await walk('');
}

/** Maps a container path to the stage's folder; absolute paths inside commands too (never /dev). */
function inRoot(stage: Stage, containerPath: string): string {
  return path.join(stage.root, path.posix.resolve(stage.workdir, containerPath));
}
function mapCommand(stage: Stage, command: string): string {
  return command.replace(/(^|[\s=:'"])(\/(?!dev\/)[A-Za-z0-9._*\/-]*)/g, (_, before: string, p: string) => `${before}${path.join(stage.root, p)}`);
}
function mapEnv(stage: Stage): Record<string, string> {
  return Object.fromEntries(Object.entries(stage.env).map(([k, v]) => [k, v.startsWith('/') ? path.join(stage.root, v) : v]));
}

/**
 * Stand-ins for the outside world a real build reaches: `chown` (users exist in the image, not here) only
 * checks that its targets exist, and the native SQLite binding's prebuilt binary, which a real build downloads,
 * is this machine's own build of the same version.
 */
async function buildTools(dir: string): Promise<Record<string, string>> {
  const shims = path.join(dir, 'shims');
  await mkdir(shims, { recursive: true });
  await writeFile(path.join(shims, 'chown'), '#!/bin/sh\nshift\nfor p in "$@"; do case "$p" in -*) ;; *) [ -e "$p" ] || { echo "chown: $p: no such file" >&2; exit 1; } ;; esac; done\n');
  await chmod(path.join(shims, 'chown'), 0o755);
  const sqlite = path.join(repo, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(await readFile(path.join(sqlite, 'package.json'), 'utf8')) as { version: string };
  const prebuilds = path.join(dir, 'prebuilds');
  await mkdir(prebuilds, { recursive: true });
  const tarball = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await run('tar', ['-czf', path.join(prebuilds, tarball), '-C', sqlite, 'build/Release/better_sqlite3.node']);
  return {
    PATH: `${shims}${path.delimiter}${process.env.PATH ?? ''}`,
    HOME: process.env.HOME ?? dir,
    npm_config_prefer_offline: 'true',
    npm_config_better_sqlite3_local_prebuilds: prebuilds,
  };
}

async function replay(instructions: Instruction[], context: string, tools: Record<string, string>): Promise<Stage[]> {
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  const current = (i: Instruction): Stage => {
    if (!stage) throw new Error(`Dockerfile line ${i.line}: ${i.keyword} before FROM`);
    return stage;
  };
  for (const i of instructions) {
    switch (i.keyword) {
      case 'FROM': {
        const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args);
        if (!m) throw new Error(`Dockerfile line ${i.line}: FROM ${i.args}`);
        const from = stages.find((s) => s.name === m[1]);
        const root = path.join(work, `stage-${stages.length}`);
        if (from) await cp(from.root, root, { recursive: true });
        stage = { name: m[2], image: m[1]!, root, workdir: from?.workdir ?? '/', env: { ...from?.env }, volumes: [], exposed: [], entrypoint: [], cmd: [] };
        await mkdir(root, { recursive: true });
        stages.push(stage);
        break;
      }
      case 'WORKDIR':
        current(i).workdir = path.posix.resolve(current(i).workdir, i.args);
        await mkdir(inRoot(current(i), '.'), { recursive: true });
        break;
      case 'ENV':
        for (const [k, v] of parseEnv(i.args)) current(i).env[k] = v;
        break;
      case 'ARG':
      case 'LABEL':
        break;
      case 'COPY': {
        const s = current(i);
        const { options, rest } = splitOptions(i.args);
        const parts = execForm(rest) ?? rest.split(/\s+/);
        const dest = parts.pop()!;
        const from = options.from === undefined ? undefined : stages.find((x) => x.name === options.from || String(stages.indexOf(x)) === options.from);
        if (options.from !== undefined && !from) throw new Error(`Dockerfile line ${i.line}: no stage named ${options.from}`);
        for (const src of parts) {
          if (/[*?[]/.test(src)) throw new Error(`Dockerfile line ${i.line}: wildcards in COPY are not replayed by this test`);
          const source = from ? path.join(from.root, path.posix.resolve('/', src)) : path.join(context, path.posix.normalize(src));
          const info = await stat(source).catch(() => undefined);
          if (!info) throw new Error(`Dockerfile line ${i.line}: COPY ${src}: not found in ${from ? `stage ${options.from}` : 'the build context (after .dockerignore)'}`);
          const intoDir = dest.endsWith('/') || parts.length > 1 || info.isDirectory();
          const target = intoDir && !info.isDirectory() ? path.join(inRoot(s, dest), path.basename(src)) : inRoot(s, dest);
          await mkdir(path.dirname(target), { recursive: true });
          await cp(source, target, { recursive: true });
        }
        break;
      }
      case 'RUN': {
        const s = current(i);
        const argv = execForm(i.args) ?? ['/bin/sh', '-c', mapCommand(s, i.args)];
        try {
          await run(argv[0]!, argv.slice(1), { cwd: inRoot(s, '.'), env: { ...tools, ...mapEnv(s) }, maxBuffer: 64 * 1024 * 1024 });
        } catch (e) {
          const err = e as { stderr?: string; stdout?: string; message: string };
          throw new Error(`Dockerfile line ${i.line}: RUN ${i.args} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
        }
        break;
      }
      case 'USER':
        current(i).user = i.args;
        break;
      case 'VOLUME':
        current(i).volumes.push(...(execForm(i.args) ?? i.args.split(/\s+/)));
        break;
      case 'EXPOSE':
        current(i).exposed.push(...i.args.split(/\s+/).map((p) => p.replace(/\/tcp$/, '')));
        break;
      case 'HEALTHCHECK':
        current(i).healthcheck = splitOptions(i.args).rest;
        break;
      case 'STOPSIGNAL':
        current(i).stopSignal = i.args;
        break;
      case 'ENTRYPOINT':
        current(i).entrypoint = execForm(i.args) ?? ['/bin/sh', '-c', i.args];
        break;
      case 'CMD':
        current(i).cmd = execForm(i.args) ?? ['/bin/sh', '-c', i.args];
        break;
      default:
        throw new Error(`Dockerfile line ${i.line}: ${i.keyword} is not replayed by this test; teach test/e2e/docker-build.test.ts about it`);
    }
  }
  return stages;
}

/** Runs the HEALTHCHECK command the way Docker does inside the container; resolves with its exit code. */
async function healthcheck(stage: Stage, env: Record<string, string>): Promise<number> {
  const m = /^CMD\s+(.*)$/i.exec(stage.healthcheck ?? '');
  if (!m) throw new Error(`HEALTHCHECK has no CMD: ${stage.healthcheck}`);
  const argv = execForm(m[1]!) ?? ['/bin/sh', '-c', m[1]!];
  return run(argv[0]!, argv.slice(1), { cwd: inRoot(stage, '.'), env, timeout: 20_000 }).then(
    () => 0,
    (e: { code?: number }) => (typeof e.code === 'number' ? e.code : -1),
  );
}

describe('Dockerfile', () => {
  it('builds and runs: a non-root server on the data volume that passes its own health check and serves S3', async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sklad-docker-'));
    const context = path.join(work, 'context');
    await buildContext(context);
    const instructions = parseDockerfile(await readFile(path.join(repo, 'Dockerfile'), 'utf8'));
    const stages = await replay(instructions, context, await buildTools(work));
    const runtime = stages.at(-1)!;

    // What the image promises, read from the Dockerfile itself.
    expect(stages.length, 'multi-stage build').toBeGreaterThan(1);
    expect(runtime.user, 'runs as a non-root user').toBeDefined();
    expect(runtime.user).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.volumes).toContain(runtime.env.SKLAD_DATA);
    expect(runtime.exposed).toContain(runtime.env.SKLAD_PORT);
    expect(runtime.healthcheck).toBeDefined();
    // Only production dependencies reach the runtime stage.
    const installed = async (name: string): Promise<boolean> => (await stat(inRoot(runtime, `node_modules/${name}/package.json`)).catch(() => undefined)) !== undefined;
    expect(await installed('better-sqlite3')).toBe(true);
    expect(await installed('hono')).toBe(true);
    for (const dev of ['typescript', 'vitest', '@aws-sdk/client-s3']) expect(await installed(dev), dev).toBe(false);

    // `docker run -v data:/data -p PORT:9000`: the data folder is the stage's /data, the port an ephemeral one.
    const dataDir = inRoot(runtime, runtime.env.SKLAD_DATA!);
    const env = { PATH: process.env.PATH ?? '', ...mapEnv(runtime), SKLAD_HOST: '127.0.0.1', SKLAD_PORT: '0', SKLAD_ACCESS_KEY: ACCESS_KEY, SKLAD_SECRET_KEY: SECRET_KEY };
    const [command, ...args] = [...runtime.entrypoint, ...runtime.cmd];
    const child = spawn(command!, args, { cwd: inRoot(runtime, '.'), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the image's command printed no listening line:\n${output}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /sklad listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
        void exited.then((code) => reject(new Error(`the image's command exited with ${code}:\n${output}`)));
      });
      expect(await healthcheck(runtime, { ...env, SKLAD_PORT: String(port) })).toBe(0);

      const s3 = new S3Client({ endpoint: `http://127.0.0.1:${port}`, region: REGION, forcePathStyle: true, credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY } });
      try {
        await s3.send(new CreateBucketCommand({ Bucket: 'in-docker' }));
        await s3.send(new PutObjectCommand({ Bucket: 'in-docker', Key: 'hello', Body: 'from the image' }));
        const got = await s3.send(new GetObjectCommand({ Bucket: 'in-docker', Key: 'hello' }));
        expect(await got.Body!.transformToString()).toBe('from the image');
      } finally {
        s3.destroy();
      }
      expect((await stat(path.join(dataDir, 'index.sqlite'))).isFile()).toBe(true);
    } finally {
      child.kill((runtime.stopSignal ?? 'SIGTERM') as NodeJS.Signals);
    }
    expect(await exited).toBe(0);
    // With the server gone the same health check must fail, or it proves nothing.
    expect(await healthcheck(runtime, { ...env, SKLAD_PORT: String(await freePort()) })).not.toBe(0);
  }, 180_000);
});

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as import('node:net').AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
