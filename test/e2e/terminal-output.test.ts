// What a person sees when sklad runs in a terminal: the console URL and where the credentials are first, then one
// short line per request; and JSON lines, as before, when output goes elsewhere.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild } from '../support/child-server.js';

describe('terminal output', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sklad-terminal-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows the console URL and the credentials first, then one line per request', async () => {
    const data = path.join(dir, 'pretty');
    const child = await startChild(['--data', data, '--host', '127.0.0.1', '--port', '0', '--log-format', 'pretty']);
    try {
      const banner = child.output().slice(child.output().indexOf('\n  sklad ') + 1);
      expect(banner).toMatch(new RegExp(`^  sklad \\S+\\n  Console +${child.url.replace(/[.]/g, '\\.')}/_sklad/console/\\n  Credentials +${path.join(data, 'root-credentials.json').replace(/[.]/g, '\\.')}\\n`));
      // Piped output is kept and read by others: a generated secret is shown on a real terminal only.
      expect(banner).toContain('secret key in the credentials file (not printed: stdout is not a terminal)');
      await (await fetch(`${child.url}/missing-bucket/key.txt`)).text();
      const line = await child.waitForOutput(/^\d\d:\d\d:\d\d 404 GET GetObject missing-bucket\/key\.txt \S+ms anonymous NoSuchBucket$/m);
      expect(line[0]).not.toContain('{');
    } finally {
      await child.stop();
    }
  });

  it('keeps JSON lines when the output is not a terminal', async () => {
    const child = await startChild(['--data', path.join(dir, 'json'), '--host', '127.0.0.1', '--port', '0']);
    try {
      await (await fetch(`${child.url}/missing-bucket/key.txt`)).text();
      const m = await child.waitForOutput(/^\{.*"msg":"request".*\}$/m);
      expect(JSON.parse(m[0])).toMatchObject({ op: 'GetObject', status: 404 });
      expect(child.output()).not.toContain('  Console ');
    } finally {
      await child.stop();
    }
  });
});
