// `sklad admin …`: parses the command line, connects, runs one command, prints a table or the API's JSON.
// Exit status: 0 done, 1 the server refused or could not be reached, 2 the command line was wrong.
import { parseArgs } from 'node:util';
import { AdminClient, ApiError } from './client.js';
import { commands, findCommand, type CommandOption } from './commands.js';
import { resolveConnection, UsageError, DEFAULT_ENDPOINT } from './connection.js';

const OPTION_VALUE: Record<CommandOption, string> = { policy: 'FILE', 'max-bytes': 'N', 'max-objects': 'N', rule: 'ID', 'page-size': 'N', batch: 'N' };

const commandList = commands
  .map((c) => {
    const usage = [...c.words, ...c.args, ...(c.options ?? []).map((o) => `[--${o} ${OPTION_VALUE[o]}]`)].join(' ');
    return `  ${usage.padEnd(52)} ${c.summary}`;
  })
  .join('\n');

export const adminHelp = `Usage: sklad admin [connection options] COMMAND [--json]

Manages users, access keys, policies and quotas of a running sklad server through its admin API.

Commands:
${commandList}

Connection options:
  --endpoint URL        server URL                       SKLAD_ENDPOINT (default ${DEFAULT_ENDPOINT})
  --access-key KEY      credentials to sign with (root, or a user the server allows to administer)
  --secret-key SECRET
  --data DIR            read the root credentials from DIR/root-credentials.json (on the server machine)
  --region R            region the server signs against  SKLAD_REGION (default us-east-1)
  --ca-bundle FILE      PEM CA bundle for an https endpoint with a private CA

Credentials come from, in order: --access-key/--secret-key, --data DIR, SKLAD_ACCESS_KEY/SKLAD_SECRET_KEY,
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, SKLAD_DATA.

Output: aligned tables; --json prints the API's JSON document unchanged (for scripts).
Sizes take K, M, G, T suffixes in powers of 1024 (--max-bytes 10G).
Exit status: 0 done, 1 the server answered with an error (code and message on stderr) or was unreachable,
2 usage error.
`;

const COMMAND_OPTIONS: CommandOption[] = ['policy', 'max-bytes', 'max-objects', 'rule', 'page-size', 'batch'];

export async function adminCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        endpoint: { type: 'string' },
        'access-key': { type: 'string' },
        'secret-key': { type: 'string' },
        data: { type: 'string' },
        region: { type: 'string' },
        'ca-bundle': { type: 'string' },
        json: { type: 'boolean' },
        policy: { type: 'string' },
        'max-bytes': { type: 'string' },
        'max-objects': { type: 'string' },
        rule: { type: 'string' },
        'page-size': { type: 'string' },
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    process.stderr.write(`sklad admin: ${(e as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? process.stdout : process.stderr).write(adminHelp);
    return values.help ? 0 : 2;
  }
  try {
    const command = findCommand(positionals);
    if (command === undefined) throw new UsageError(`unknown command: ${positionals.join(' ')} (see 'sklad admin --help')`);
    const args = positionals.slice(command.words.length);
    const usage = [...command.words, ...command.args].join(' ');
    if (args.length !== command.args.length) throw new UsageError(`usage: sklad admin ${usage}`);
    for (const option of COMMAND_OPTIONS) {
      if (values[option] !== undefined && !(command.options ?? []).includes(option)) {
        throw new UsageError(`--${option} does not apply to '${command.words.join(' ')}'`);
      }
    }
    const options = Object.fromEntries(COMMAND_OPTIONS.filter((o) => values[o] !== undefined).map((o) => [o, values[o] as string]));
    const client = new AdminClient(resolveConnection(values, process.env));
    const output = await command.run({ client, args, options, progress: (line) => process.stderr.write(`${line}\n`) });
    if (values.json) {
      if (output.json !== undefined) process.stdout.write(JSON.stringify(output.json, null, 2) + '\n');
    } else {
      process.stdout.write(output.text);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sklad admin: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ApiError) {
      process.stderr.write(`sklad admin: ${e.code}: ${e.message}\n`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' || (e as Error).message?.startsWith('no answer from')) {
      // Connection refused, DNS, TLS: the server was not reached. Name the endpoint, it is usually the cause.
      process.stderr.write(`sklad admin: cannot reach the server: ${(e as Error).message}\n`);
      return 1;
    }
    throw e;
  }
}
