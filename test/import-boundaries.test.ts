// The rules of eslint.config.js (imports point down, pure modules stay pure, only composition roots name
// the storage implementations; no floating or misused promises) hold for all of src/.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { expect, it } from 'vitest';

it('no module imports across a layer boundary', async () => {
  const cwd = fileURLToPath(new URL('..', import.meta.url));
  const results = await new ESLint({ cwd }).lintFiles(['src']);
  const problems = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(cwd.length)}:${m.line} ${m.message}`));
  expect(problems).toEqual([]);
}, 180_000);
