import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetBucketLocationCommand, S3Client } from '@aws-sdk/client-s3';
import { parse as parseYaml } from 'yaml';
import { ConfigError, type Config, type ConfigReport, type ServeFlags } from '../../src/config/config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { SETTINGS, type Setting } from '../../src/config/settings.js';
import { bin, cleanEnv, startChild } from '../support/child-server.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'sklad-config-'));
  dirs.push(d);
  return d;
}

async function configFile(text: string, mode = 0o600): Promise<string> {
  const file = path.join(await tempDir(), 'sklad.yaml');
  await writeFile(file, text);
  await chmod(file, mode);
  return file;
}

function load(flags: ServeFlags, env: Record<string, string>): { config: Config; report: ConfigReport } {
  const report: ConfigReport = { sources: {}, warnings: [] };
  return { config: loadConfig(flags, env, report), report };
}

/** Three distinct valid values for a setting: one for the file, one for the environment, one for the flag. */
function samples(s: Setting): [unknown, string, string] {
  switch (s.type) {
    case 'integer':
      return [40000, '50000', '60000'];
    case 'number':
      return [1.5, '2.5', '3.5'];
    case 'boolean':
      return [true, 'false', 'true'];
    case 'path':
      return ['/tmp/sklad-file', '/tmp/sklad-env', '/tmp/sklad-flag'];
    case 'list':
      return [['ZmlsZS1rZXk='], 'ZW52LWtleQ==', 'unused'];
    case 'string':
      if (s.key === 'metadata-url') return ['postgres://file.example/sklad', 'postgres://env.example/sklad', 'postgresql://flag.example/sklad'];
      if (s.oneOf) return [s.oneOf[0], s.oneOf[1]!, s.oneOf[2]!];
      return ['from-file-1', 'from-env-22', 'from-flag-333'];
  }
}

function expected(s: Setting, raw: unknown): unknown {
  if (s.type === 'integer' || s.type === 'number') return Number(raw);
  if (s.type === 'boolean') return raw === true || raw === 'true';
  if (s.type === 'path') return path.resolve(String(raw));
  if (s.type === 'list') return Array.isArray(raw) ? raw : String(raw).split(',');
  return raw;
}

/** Settings that must be given in pairs: the companion comes from the file so each layer can be tested alone. */
const companions: Record<string, Record<string, string>> = {
  'access-key': { 'secret-key': 'companion-secret' },
  'secret-key': { 'access-key': 'companionaccess' },
  'tls-cert': { 'tls-key': '/tmp/companion-key.pem' },
  'tls-key': { 'tls-cert': '/tmp/companion-cert.pem' },
};

describe('configuration file', () => {
  it('has a settings-table row for every field of Config, so every setting can come from a file', () => {
    const fields = Object.keys(loadConfig({}, {}));
    const covered = new Set(SETTINGS.map((s) => s.field as string));
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
  });

  it('applies flags over environment over file over defaults, for every setting', async () => {
    for (const s of SETTINGS) {
      const [inFile, inEnv, inFlag] = samples(s);
      const file = await configFile(Object.entries({ ...companions[s.key], [s.key]: inFile }).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n'));
      const value = (c: Config): unknown => (s.display ? s.display(c) : c[s.field]);

      const defaults = load({}, {});
      expect(defaults.report.sources[s.key], s.key).toBe('default');

      const fromFile = load({ config: file }, {});
      expect(fromFile.report.sources[s.key], s.key).toBe('file');
      expect(value(fromFile.config), s.key).toEqual(expected(s, inFile));

      const fromEnv = load({ config: file }, { [s.env]: inEnv });
      expect(fromEnv.report.sources[s.key], s.key).toBe('env');
      expect(value(fromEnv.config), s.key).toEqual(expected(s, inEnv));

      if (s.flag) {
        const fromFlag = load({ config: file, [s.key]: inFlag } as ServeFlags, { [s.env]: inEnv });
        expect(fromFlag.report.sources[s.key], s.key).toBe('flag');
        expect(value(fromFlag.config), s.key).toEqual(expected(s, inFlag));
      }
    }
  });

  it('finds the file through SKLAD_CONFIG too, and resolves relative paths against the file', async () => {
    const file = await configFile('data: ./stored\ntls-cert: certs/c.pem\ntls-key: certs/k.pem\n');
    const { config, report } = load({}, { SKLAD_CONFIG: file });
    expect(report.file).toBe(file);
    expect(config.dataDir).toBe(path.join(path.dirname(file), 'stored'));
    expect(config.tlsCertFile).toBe(path.join(path.dirname(file), 'certs/c.pem'));
  });

  it('rejects unknown keys with a suggestion, wrong types and out-of-range values, naming the file and key', async () => {
    const cases: [string, RegExp][] = [
      ['log_level: debug\n', /unknown key "log_level" \(did you mean "log-level"\?\)/],
      ['prot: 9000\n', /unknown key "prot" \(did you mean "port"\?\)/],
      ['idleTimeoutMs: 5\n', /did you mean "idle-timeout-ms"/],
      ['completely-unrelated-thing: 1\n', /unknown key "completely-unrelated-thing"$/],
      ['port: "9000"\n', /port must be a number, got string "9000"/],
      ['port: 70000\n', /port must be at most 65535, got 70000/],
      ['verify-reads: 3\n', /verify-reads must be true or false/],
      ['log-level: loud\n', /log-level must be one of fatal, error, warn, info, debug, trace, silent/],
      ['old-master-keys: { a: 1 }\n', /old-master-keys must be a list of strings, got a mapping/],
      ['shutdown-grace-ms: -1\n', /shutdown-grace-ms must be a whole number/],
      ['- just\n- a list\n', /must be a mapping/],
      ['port: [unclosed\n', /is not valid YAML/],
      ['tls-cert: c.pem\n', /both a certificate and its key/],
    ];
    for (const [text, message] of cases) {
      const file = await configFile(text);
      let error: unknown;
      try {
        load({ config: file }, {});
      } catch (e) {
        error = e;
      }
      expect(error, text).toBeInstanceOf(ConfigError);
      expect((error as Error).message, text).toMatch(message);
      if (!/both a certificate/.test(message.source)) expect((error as Error).message, text).toContain(file);
    }
    expect(() => load({}, { SKLAD_CONFIG: '/nonexistent/sklad.yaml' })).toThrow(/cannot read config file \/nonexistent\/sklad.yaml/);
  });

  it('names the environment variable or flag that holds a bad value', () => {
    expect(() => load({}, { SKLAD_PORT: 'abc' })).toThrow(/^SKLAD_PORT must be a whole number/);
    expect(() => load({ 'idle-timeout-ms': '1.5' }, {})).toThrow(/^--idle-timeout-ms must be a whole number/);
    expect(() => load({}, { SKLAD_HEADERS_TIMEOUT_MS: '5000', SKLAD_REQUEST_TIMEOUT_MS: '1000' })).toThrow(/headers-timeout-ms \(5000\) cannot be longer than request-timeout-ms \(1000\)/);
  });

  it('warns when a file holding secrets can be read by other users', async () => {
    const open = await configFile('secret-key: supersecret123\naccess-key: operator\n', 0o644);
    expect(load({ config: open }, {}).report.warnings.join('\n')).toMatch(/holds secrets but other users may read it \(mode 644\)/);
    const closed = await configFile('secret-key: supersecret123\naccess-key: operator\n', 0o600);
    expect(load({ config: closed }, {}).report.warnings).toEqual([]);
    const noSecrets = await configFile('region: eu-west-1\n', 0o644);
    expect(load({ config: noSecrets }, {}).report.warnings).toEqual([]);
  });
});

describe('sklad serve with a config file', () => {
  it('--print-config shows each value with its source, masks secrets, and starts nothing', async () => {
    const dir = await tempDir();
    const file = await configFile(
      ['region: eu-central-1', 'port: 9100', 'access-key: fileaccess', 'secret-key: file-secret-value', 'metrics-token: token-in-file', 'upload-expiry-hours: 12'].join('\n'),
    );
    const dataDir = path.join(dir, 'never-created');
    const { stdout } = await promisify(execFile)(process.execPath, [bin, 'serve', '--config', file, '--print-config', '--port', '9200', '--data', dataDir], {
      env: cleanEnv({ SKLAD_REGION: 'ap-south-1', SKLAD_MASTER_KEY: 'bWFzdGVyLWtleS1zZWNyZXQ=' }),
    });
    const parsed = parseYaml(stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({ port: 9200, region: 'ap-south-1', 'upload-expiry-hours': 12, data: dataDir, 'access-key': 'fileaccess', 'secret-key': '****', 'metrics-token': '****', 'master-key': '****' });
    expect(stdout).toMatch(/^port: 9200 {2}# flag$/m);
    expect(stdout).toMatch(/^region: ap-south-1 {2}# env$/m);
    expect(stdout).toMatch(/^upload-expiry-hours: 12 {2}# file$/m);
    expect(stdout).toMatch(/^host: 0\.0\.0\.0 {2}# default$/m);
    expect(stdout).toMatch(/^# tls-cert: \(not set\) {2}# default$/m);
    expect(stdout).toContain(file);
    for (const secret of ['file-secret-value', 'token-in-file', 'bWFzdGVyLWtleS1zZWNyZXQ=']) expect(stdout).not.toContain(secret);
    await expect(stat(dataDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('serves with the settings from the file (credentials, region, port) given by SKLAD_CONFIG', async () => {
    const dir = await tempDir();
    const file = await configFile(
      ['host: 127.0.0.1', 'port: 0', `data: ${path.join(dir, 'data')}`, 'region: eu-north-1', 'access-key: configaccess', 'secret-key: config-secret-123', 'log-level: warn'].join('\n'),
    );
    const s = await startChild([], { SKLAD_CONFIG: file });
    const client = new S3Client({ endpoint: s.url, region: 'eu-north-1', forcePathStyle: true, credentials: { accessKeyId: 'configaccess', secretAccessKey: 'config-secret-123' } });
    try {
      await client.send(new CreateBucketCommand({ Bucket: 'from-config' }));
      const location = await client.send(new GetBucketLocationCommand({ Bucket: 'from-config' }));
      expect(location.LocationConstraint).toBe('eu-north-1');
      expect((await stat(path.join(dir, 'data', 'index.sqlite'))).isFile()).toBe(true);
    } finally {
      client.destroy();
      expect(await s.stop()).toBe(0);
    }
  });

  it('refuses to start on a bad file with the file and key in the message', async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, 'data'));
    const file = await configFile('portt: 9000\n');
    const failure = await promisify(execFile)(process.execPath, [bin, 'serve', '--config', file, '--data', path.join(dir, 'data')], { env: cleanEnv() }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stderr).toContain(`sklad: config file ${file}: unknown key "portt" (did you mean "port"?)`);
  });
});
