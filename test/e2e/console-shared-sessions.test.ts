// Console sessions live in the metadata database: a session made through one gateway works through every other,
// ends everywhere at logout or when its user is disabled, and a single server's sessions survive a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsoleClient } from '../support/console-client.js';
import { startGateways, type Gateways } from '../support/gateways.js';
import { startPostgres, type PostgresCluster } from '../support/postgres.js';
import { signedRequest } from '../support/raw-client.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer } from '../support/server.js';
import { createUser } from '../support/users.js';

/** The same browser session pointed at another gateway (its own origin there). */
function sameSessionAt(c: ConsoleClient, endpoint: string): ConsoleClient {
  const other = new ConsoleClient(endpoint);
  other.cookie = c.cookie;
  other.csrf = c.csrf;
  return other;
}

describe('console sessions across gateways', () => {
  let cluster: PostgresCluster;
  let cl: Gateways;

  beforeAll(async () => {
    cluster = await startPostgres();
    cl = await startGateways(await cluster.createDatabase(), 2);
  }, 120_000);
  afterAll(async () => {
    await cl?.cleanup();
    await cluster?.stop();
  });

  it('signs in on gateway A and works on gateway B, state-changing requests included; logout on B ends it on A', async () => {
    const [a, b] = cl.gateways as [typeof cl.gateways[0], typeof cl.gateways[0]];
    const onA = new ConsoleClient(a.endpoint);
    expect((await onA.login(ACCESS_KEY, SECRET_KEY)).status).toBe(200);
    const onB = sameSessionAt(onA, b.endpoint);
    const session = await onB.send('GET', '/api/session');
    expect(session.status).toBe(200);
    expect(session.json.csrfToken).toBe(onA.csrf);
    expect((await onB.send('PUT', '/api/s3/shared-session-bucket')).status).toBe(200);
    expect((await onA.send('GET', '/api/s3/')).body).toContain('shared-session-bucket');
    // A share link signed on B with the key's secret looked up there.
    const link = await onB.send('POST', '/api/presign', { json: { bucket: 'shared-session-bucket', key: 'k', expiresSeconds: 60 } });
    expect(link.status).toBe(200);
    expect(link.json.url).toContain(`X-Amz-Credential=${ACCESS_KEY}`);
    expect((await onB.send('POST', '/api/logout')).status).toBe(204);
    expect((await onA.send('GET', '/api/session')).status).toBe(401);
  });

  it('ends a session on every gateway when its user is disabled through one of them', async () => {
    const [a, b] = cl.gateways as [typeof cl.gateways[0], typeof cl.gateways[0]];
    const user = await createUser(a, 'gw-leaver', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] });
    const onA = new ConsoleClient(a.endpoint);
    await onA.login(user.accessKeyId, user.secretKey);
    const onB = sameSessionAt(onA, b.endpoint);
    expect((await onB.send('GET', '/api/s3/')).status).toBe(200);
    const disable = await signedRequest(a.endpoint, {
      method: 'PATCH',
      path: '/_sklad/admin/v1/users/gw-leaver',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ disabled: true }),
    });
    expect(disable.status).toBe(200);
    // B hears of the change through the database's notifications; give it the moment that takes.
    await expect.poll(async () => (await onB.send('GET', '/api/session')).status, { timeout: 5000 }).toBe(401);
    expect((await onA.send('GET', '/api/session')).status).toBe(401);
  });
});

describe('console sessions on a single server', () => {
  it('survive a restart', async () => {
    const t = await startTestServer();
    try {
      const c = new ConsoleClient(t.endpoint);
      await c.login(ACCESS_KEY, SECRET_KEY);
      await t.restart();
      const again = sameSessionAt(c, t.endpoint);
      expect((await again.send('GET', '/api/session')).status).toBe(200);
      expect((await again.send('PUT', '/api/s3/after-restart')).status).toBe(200);
    } finally {
      await t.cleanup();
    }
  });
});
