// `sklad audit verify`: checks the hash chain of the audit files and reports the first break.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { isHash } from '../audit/chain.js';
import { listAuditFiles, orderAuditFiles } from '../audit/files.js';
import { verifyAuditFiles } from '../audit/verify.js';

const auditHelp = `Usage: sklad audit verify [--data DIR | --audit-dir DIR | FILE...] [--expect-hash HASH] [--json]

Re-computes the hash chain of the audit log: every record's hash against its content and every link to
the record before it, across rotated files (by name, oldest first; audit.jsonl last). Reports the record
count and the last hash, or the first broken record: its file, line and seq, and whether it was altered,
deleted, reordered, or a file is missing between two others.

Options:
  --data DIR          data folder; its audit files are in DIR/audit (SKLAD_DATA, default ./data)
  --audit-dir DIR     the audit folder, when configured elsewhere (SKLAD_AUDIT_DIR)
  FILE...             check these files instead (ordered as above)
  --expect-hash HASH  a hash kept outside this machine (e.g. from an 'audit log rotated' log line):
                      fail when it is not in the chain, which shows records cut off the end
  --json              print the report as JSON
  -h, --help          show this help

Exit status: 0 when the chain is intact, 1 when it is broken, 2 on usage errors.
Warnings (a write torn by a crash, a chain whose oldest files were removed) do not change the status.
`;

async function filesToCheck(values: { data?: string; 'audit-dir'?: string }, positionals: string[]): Promise<string[]> {
  const given = [values.data, values['audit-dir'], positionals.length > 0 ? 'files' : undefined].filter((v) => v !== undefined);
  if (given.length > 1) throw new ConfigError('give one of --data, --audit-dir or files');
  if (positionals.length > 0) {
    for (const f of positionals) if (!existsSync(f)) throw new ConfigError(`no such file: ${f}`);
    return orderAuditFiles(positionals.map((f) => path.resolve(f)));
  }
  const dir = values['audit-dir'] !== undefined
    ? path.resolve(values['audit-dir'])
    : values.data !== undefined
      ? path.join(path.resolve(values.data), 'audit')
      : process.env.SKLAD_AUDIT_DIR
        ? path.resolve(process.env.SKLAD_AUDIT_DIR)
        : path.join(path.resolve(process.env.SKLAD_DATA ?? 'data'), 'audit');
  const files = await listAuditFiles(dir);
  if (files.length === 0) throw new ConfigError(`no audit files in ${dir}`);
  return files;
}

export async function auditCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(auditHelp);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'verify') throw new ConfigError(`unknown audit command: ${sub} (try 'sklad audit verify')`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: {
      data: { type: 'string' },
      'audit-dir': { type: 'string' },
      'expect-hash': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(auditHelp);
    return 0;
  }
  const expectHash = values['expect-hash'];
  if (expectHash !== undefined && !isHash(expectHash)) throw new ConfigError('--expect-hash takes 64 lowercase hex digits');
  const report = await verifyAuditFiles(await filesToCheck(values, positionals), { expectHash });
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    for (const w of report.warnings) process.stdout.write(`warning: ${w.file}:${w.line}: ${w.message}\n`);
    if (report.error !== undefined) {
      const e = report.error;
      process.stdout.write(`BROKEN: ${e.file}:${e.line}${e.seq === undefined ? '' : ` (seq ${e.seq})`}: ${e.message}\n`);
      process.stdout.write(`${report.records} records verified before the break\n`);
    } else {
      process.stdout.write(`OK: ${report.records} records in ${report.files.length} file(s), seq ${report.firstSeq ?? '-'}..${report.lastSeq ?? '-'}, last hash ${report.lastHash ?? '-'}\n`);
    }
  }
  return report.ok ? 0 : 1;
}
