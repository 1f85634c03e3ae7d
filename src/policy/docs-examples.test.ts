// The policies shown in docs/operations.md must be valid: each JSON heredoc there is parsed as sklad would.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from './document.js';

const text = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
const examples = [...text.matchAll(/cat > ([\w.-]+) <<'JSON'\n([\s\S]*?)\nJSON/g)].map((m) => ({ file: m[1]!, json: m[2]! }));

describe('policy examples in docs/operations.md', () => {
  it('are there', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)('$file parses', ({ file, json }) => {
    const isBucketPolicy = json.includes('"Principal"');
    const bucket = /arn:aws:s3:::([a-z0-9.-]+)/.exec(json)?.[1];
    expect(() => parsePolicy(json, isBucketPolicy ? { kind: 'bucket', bucket } : { kind: 'identity' }), file).not.toThrow();
  });
});
