// Several sklad gateways over one PostgreSQL database and one shared data folder, each on its own port, as
// an operator runs them behind a load balancer; and an SDK client that spreads its requests over them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ACCESS_KEY, REGION, SECRET_KEY, startTestServer, type TestServer } from './server.js';

export interface Gateways {
  dataDir: string;
  url: string;
  gateways: TestServer[];
  /** An SDK client sending each request to the next gateway in turn (the Host header is signed per request). */
  roundRobinClient(overrides?: Partial<S3ClientConfig>): S3Client;
  /** An SDK client bound to one gateway. */
  clientOf(index: number, overrides?: Partial<S3ClientConfig>): S3Client;
  /** Starts one more gateway on the same database and folder. */
  add(id: string): Promise<TestServer>;
  cleanup(): Promise<void>;
}

export async function startGateways(url: string, count: number, env: Record<string, string> = {}): Promise<Gateways> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'sklad-gateways-'));
  const gateways: TestServer[] = [];
  const clients: S3Client[] = [];
  const add = async (id: string): Promise<TestServer> => {
    const gateway = await startTestServer({
      dataDir,
      env: { SKLAD_METADATA_URL: url, SKLAD_GATEWAY_ID: id, ...env },
      keepDataDir: true,
    });
    gateways.push(gateway);
    return gateway;
  };
  // One after the other: the first start generates the shared master key file the others then read.
  for (let i = 0; i < count; i++) await add(`gw${i + 1}`);
  const base = (overrides: Partial<S3ClientConfig>): S3Client => {
    const client = new S3Client({
      endpoint: gateways[0]!.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
      ...overrides,
    });
    clients.push(client);
    return client;
  };
  return {
    dataDir,
    url,
    gateways,
    add,
    clientOf(index, overrides = {}) {
      return base({ endpoint: gateways[index]!.endpoint, ...overrides });
    },
    roundRobinClient(overrides = {}) {
      const client = base(overrides);
      let next = 0;
      client.middlewareStack.add(
        (handler) => async (args) => {
          const request = args.request as { hostname?: string; port?: number; headers: Record<string, string> };
          const port = gateways[next++ % gateways.length]!.server.port;
          request.port = port;
          request.headers.host = `${request.hostname ?? '127.0.0.1'}:${port}`;
          return handler(args);
        },
        // Before signing, so the signature covers the gateway's Host.
        { step: 'build', name: 'roundRobinGateways' },
      );
      return client;
    },
    async cleanup() {
      for (const client of clients) client.destroy();
      const errors: unknown[] = [];
      for (const gateway of gateways) await gateway.cleanup().catch((e: unknown) => errors.push(e));
      await rm(dataDir, { recursive: true, force: true });
      if (errors.length > 0) throw errors[0];
    },
  };
}
