// `sklad healthcheck`: asks the locally configured server for /health/ready and exits 0 only on a 200.
// Container health checks use it so they follow the same configuration (port, TLS) as the server itself.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load-config.js';

const help = `Usage: sklad healthcheck [--url URL] [--config FILE]

Exits 0 when the server answers GET /health/ready with 200, else 1. Without --url it derives the address
from the same configuration 'sklad serve' reads (SKLAD_PORT, SKLAD_TLS_CERT, SKLAD_CONFIG, ...).
`;

function readyUrl(configFile: string | undefined): string {
  const config = loadConfig({ config: configFile }, process.env);
  const wildcard = config.host === '0.0.0.0' || config.host === '::' || config.host === '';
  const host = wildcard ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.tlsCertFile ? 'https' : 'http'}://${host}:${config.port}/health/ready`;
}

export async function healthcheckCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { url: { type: 'string' }, config: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const url = values.url ?? readyUrl(values.config);
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  const status = await new Promise<number | string>((resolve) => {
    // The check asks the local server whether it is ready; it is not authenticating it, so a self-signed
    // certificate is fine here.
    const req = get(url, { rejectUnauthorized: false, signal: AbortSignal.timeout(5000) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (e) => resolve(e.message));
  });
  if (status === 200) return 0;
  process.stderr.write(`sklad healthcheck: ${url}: ${status}\n`);
  return 1;
}
