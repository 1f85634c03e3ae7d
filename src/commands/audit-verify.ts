// `sklad audit verify`: checks the hash chain of the audit files and reports the first break.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
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
  --data DIR          data folder; its audit files are in DIR/audit (SKLAD_DATA, default ./data), or,
                      when several gateways share DIR, in DIR/audit/<gateway-id>: each gateway's chain
                      is verified on its own and all must be intact
  --audit-dir DIR     the audit folder, when configured elsewhere (SKLAD_AUDIT_DIR)
  FILE...             check these files instead (ordered as above)
  --expect-hash HASH  a hash kept outside this machine (e.g. from an 'audit log rotated' log line):
                      fail when it is not in the chain, which shows records cut off the end
  --json              print the report as JSON
  -h, --help          show this help

Exit status: 0 when the chain is intact, 1 when it is broken, 2 on usage errors.
Warnings (a write torn by a crash, a chain whose oldest files were removed) do not change the status.
`;

/** One hash chain: the files of one server (or one gateway of several sharing a data folder). */
interface Chain {
  /** The gateway id, for chains found in per-gateway folders. */
  gateway?: string;
  files: string[];
}

/** The chains in `dir`: its own files, else one chain per sub-folder holding audit files (one per gateway). */
async function chainsIn(dir: string): Promise<Chain[]> {
  const own = await listAuditFiles(dir);
  if (own.length > 0) return [{ files: own }];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const chains: Chain[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const files = await listAuditFiles(path.join(dir, entry.name));
    if (files.length > 0) chains.push({ gateway: entry.name, files });
  }
  return chains;
}

async function chainsToCheck(values: { data?: string; 'audit-dir'?: string }, positionals: string[]): Promise<Chain[]> {
  const given = [values.data, values['audit-dir'], positionals.length > 0 ? 'files' : undefined].filter((v) => v !== undefined);
  if (given.length > 1) throw new ConfigError('give one of --data, --audit-dir or files');
  if (positionals.length > 0) {
    for (const f of positionals) if (!existsSync(f)) throw new ConfigError(`no such file: ${f}`);
    return [{ files: orderAuditFiles(positionals.map((f) => path.resolve(f))) }];
  }
  const dir = values['audit-dir'] !== undefined
    ? path.resolve(values['audit-dir'])
    : values.data !== undefined
      ? path.join(path.resolve(values.data), 'audit')
      : process.env.SKLAD_AUDIT_DIR
        ? path.resolve(process.env.SKLAD_AUDIT_DIR)
        : path.join(path.resolve(process.env.SKLAD_DATA ?? 'data'), 'audit');
  const chains = await chainsIn(dir);
  if (chains.length === 0) throw new ConfigError(`no audit files in ${dir}`);
  return chains;
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
  const chains = await chainsToCheck(values, positionals);
  if (expectHash !== undefined && chains.length > 1) {
    throw new ConfigError("--expect-hash belongs to one gateway's chain: give that gateway's folder with --audit-dir");
  }
  let ok = true;
  const reports = [];
  for (const chain of chains) {
    const report = await verifyAuditFiles(chain.files, { expectHash });
    ok &&= report.ok;
    reports.push(chain.gateway === undefined ? report : { gateway: chain.gateway, ...report });
    if (values.json) continue;
    const who = chain.gateway === undefined ? '' : `${chain.gateway}: `;
    for (const w of report.warnings) process.stdout.write(`warning: ${w.file}:${w.line}: ${w.message}\n`);
    if (report.error !== undefined) {
      const e = report.error;
      process.stdout.write(`${who}BROKEN: ${e.file}:${e.line}${e.seq === undefined ? '' : ` (seq ${e.seq})`}: ${e.message}\n`);
      process.stdout.write(`${who}${report.records} records verified before the break\n`);
    } else {
      process.stdout.write(`${who}OK: ${report.records} records in ${report.files.length} file(s), seq ${report.firstSeq ?? '-'}..${report.lastSeq ?? '-'}, last hash ${report.lastHash ?? '-'}\n`);
    }
  }
  // One server: the report itself, as before; several gateways: one report per gateway's chain.
  if (values.json) process.stdout.write(JSON.stringify(reports.length === 1 && chains[0]!.gateway === undefined ? reports[0] : reports, null, 2) + '\n');
  return ok ? 0 : 1;
}
