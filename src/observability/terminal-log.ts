// Log lines for a person at a terminal: one short line per request (time, status, method, operation, bucket/key,
// duration, who), other messages as `time LEVEL message key=value`. Pino still builds the JSON; this only
// re-renders each line, so what is logged (and kept out of logs) is the same in both formats.

interface Line {
  level: number;
  time?: number;
  msg?: string;
  [key: string]: unknown;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

const paint = (on: boolean, code: string, text: string): string => (on ? `\x1b[${code}m${text}\x1b[0m` : text);

function clock(time: number | undefined): string {
  return new Date(time ?? Date.now()).toTimeString().slice(0, 8);
}

function who(principal: unknown): string {
  if (principal === 'anonymous' || principal === undefined) return 'anonymous';
  if (typeof principal === 'object' && principal !== null && 'user' in principal) return String((principal as { user: unknown }).user);
  return String(principal);
}

function value(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (v instanceof Object && 'message' in v) return JSON.stringify((v as { message: unknown }).message);
  return JSON.stringify(v);
}

export function formatLogLine(raw: string, color: boolean): string {
  let line: Line;
  try {
    line = JSON.parse(raw) as Line;
  } catch {
    return raw;
  }
  const time = paint(color, '2', clock(line.time));
  if (line.msg === 'request' && typeof line.status === 'number') {
    const status = line.status;
    const statusText = paint(color, status >= 500 ? '31' : status >= 400 ? '33' : '32', String(status));
    const target = [line.bucket, line.key].filter((p) => typeof p === 'string' && p !== '').join('/');
    const ms = typeof line.ms === 'number' ? `${line.ms < 10 ? line.ms.toFixed(1) : Math.round(line.ms)}ms` : '';
    const parts = [time, statusText, String(line.method ?? ''), String(line.op ?? '-'), target, ms, who(line.principal)];
    if (typeof line.errorCode === 'string') parts.push(paint(color, '33', line.errorCode));
    return parts.filter((p) => p !== '').join(' ') + '\n';
  }
  const level = LEVELS[line.level] ?? String(line.level);
  const levelText = paint(color, line.level >= 50 ? '31' : line.level >= 40 ? '33' : '36', level.padEnd(5));
  const extra = Object.entries(line)
    .filter(([k]) => !OMIT.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  return `${time} ${levelText} ${line.msg ?? ''}${extra ? ` ${paint(color, '2', extra)}` : ''}\n`;
}

/** A pino destination that writes each JSON line re-rendered for a terminal. */
export function terminalLogStream(out: NodeJS.WritableStream & { hasColors?: () => boolean }): { write(line: string): void } {
  const color = typeof out.hasColors === 'function' ? out.hasColors() : false;
  return { write: (line) => void out.write(formatLogLine(line, color)) };
}
