import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { announceGeneratedRoot } from './generated-root.js';

const root = { accessKey: 'AKIAGENERATED', secretKey: 'generated-secret-0123456789abcdef', file: '/srv/sklad/root-credentials.json' };

function capture(isTTY: boolean | undefined) {
  const printed: string[] = [];
  const logged: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(line) });
  announceGeneratedRoot({ isTTY, write: (text: string) => printed.push(text) }, log, root);
  return { printed: printed.join(''), logged: logged.join('') };
}

describe('announcing generated root credentials', () => {
  it('shows the secret once on a terminal', () => {
    const { printed, logged } = capture(true);
    expect(printed).toContain(`secret key: ${root.secretKey}`);
    expect(printed).toContain(root.file);
    expect(logged).not.toContain(root.secretKey);
  });

  it('never writes the secret to a pipe or a file, and logs where it is', () => {
    for (const isTTY of [false, undefined]) {
      const { printed, logged } = capture(isTTY);
      expect(printed).toBe('');
      expect(logged).not.toContain(root.secretKey);
      expect(JSON.parse(logged)).toMatchObject({ file: root.file, accessKey: root.accessKey });
    }
  });
});
