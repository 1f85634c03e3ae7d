// The web console's server side over plain HTTP, as a browser and as an attacker would call it: sign-in and its
// cookie, sessions that end, CSRF and origin checks, rate limits, no CORS, the asset headers, requests running
// as the signed-in principal, and the audit trail of sign-ins.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutBucketCorsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { Agent, request } from 'undici';
import { makeCertificate } from '../support/certificates.js';
import { ConsoleClient, CONSOLE, setCookieValue } from '../support/console-client.js';
import { ACCESS_KEY, SECRET_KEY, startTestServer, type TestServer } from '../support/server.js';
import { createUser, type TestUser } from '../support/users.js';
import { signedRequest } from '../support/raw-client.js';

describe('web console: sessions, CSRF and access', () => {
  let t: TestServer;
  let reader: TestUser;

  beforeAll(async () => {
    t = await startTestServer();
    const s3 = t.client();
    await s3.send(new CreateBucketCommand({ Bucket: 'console-data' }));
    await s3.send(new PutObjectCommand({ Bucket: 'console-data', Key: 'page.html', Body: '<script>alert(1)</script>', ContentType: 'text/html' }));
    reader = await createUser(t, 'reader', {
      Version: '2012-10-17',
      Statement: [{ Sid: 'ReadData', Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: ['arn:aws:s3:::console-data', 'arn:aws:s3:::console-data/*'] }],
    });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('serves the page with a strict CSP, revalidated, and hashed assets cached for a year', async () => {
    const c = new ConsoleClient(t.endpoint);
    const redirect = await c.send('GET', '');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe(`${CONSOLE}/`);
    const page = await c.send('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['cache-control']).toBe('no-cache');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers['x-frame-options']).toBe('DENY');
    const script = /src="(\/_sklad\/console\/assets\/index-[\w-]+\.js)"/.exec(page.body)?.[1];
    expect(script, 'the page loads a hashed script').toBeDefined();
    const asset = await request(t.endpoint + script!);
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/^text\/javascript/);
    await asset.body.text();
    expect((await c.send('GET', '/assets/nothing-here.js')).status).toBe(404);
    // A front-end route is the page itself.
    expect((await c.send('GET', '/users')).body).toBe(page.body);
    expect((await c.send('PUT', '/', { body: 'x' })).status).toBe(405);
  });

  it('issues an HttpOnly, SameSite=Strict session cookie and no secret; each sign-in gets a fresh id', async () => {
    const c = new ConsoleClient(t.endpoint);
    const first = await c.login(ACCESS_KEY, SECRET_KEY);
    expect(first.status).toBe(200);
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/^sklad_session=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).not.toContain(SECRET_KEY);
    expect(first.json).toMatchObject({ user: 'root', isRoot: true, accessKeyId: ACCESS_KEY });
    const oldCookie = c.cookie!;
    expect((await c.send('GET', '/api/session')).json.user).toBe('root');
    // Signing in again with the old cookie replaces the session: the old id stops working.
    const second = await c.login(ACCESS_KEY, SECRET_KEY);
    expect(setCookieValue(second)).not.toBe(oldCookie);
    expect((await c.send('GET', '/api/session', { cookie: oldCookie })).status).toBe(401);
    expect((await c.send('GET', '/api/session')).status).toBe(200);
  });

  it('answers an unknown key and a wrong secret the same way', async () => {
    const c = new ConsoleClient(t.endpoint);
    const unknown = await c.login('NOSUCHKEY0000000', 'whatever-secret');
    const wrong = await c.login(reader.accessKeyId, 'not-the-secret');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(wrong.body).toBe(unknown.body);
    expect(unknown.headers['set-cookie']).toBeUndefined();
  });

  it('answers malformed console requests with a 4xx, never a server error', async () => {
    const c = new ConsoleClient(t.endpoint);
    const notJson = await c.send('POST', '/api/login', { body: '{"accessKeyId":', headers: { 'content-type': 'application/json' }, csrf: null });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.code).toBe('InvalidInput');
    expect((await c.send('POST', '/api/login', { json: { accessKeyId: 5, secretKey: [] }, csrf: null })).status).toBe(400);
    expect((await c.send('POST', '/api/login', { json: null, csrf: null })).status).toBe(400);
    expect((await c.send('POST', '/api/login', { body: 'x'.repeat(64 * 1024), csrf: null })).status).toBe(413);
    expect((await c.send('GET', '/api/login')).status).toBe(405);
    await c.login(ACCESS_KEY, SECRET_KEY);
    expect((await c.send('POST', '/api/presign', { json: { bucket: 'console-data', key: 'k', expiresSeconds: 'soon' } })).status).toBe(400);
    expect((await c.send('POST', '/api/presign', { json: { bucket: 'no-such-bucket', key: 'k', expiresSeconds: 60 } })).status).toBe(404);
    expect((await c.send('POST', '/api/access-check', { json: { user: 'nobody', action: 's3:GetObject', bucket: 'console-data' } })).status).toBe(404);
    expect((await c.send('GET', '/api/nothing-here')).status).toBe(404);
    const badName = await c.send('GET', '/api/s3/Not_A_Valid_Bucket');
    expect(badName.status).toBe(404);
    expect(badName.body).toContain('<Code>NoSuchBucket</Code>');
    expect((await c.send('GET', '/api/audit?limit=-5&result=maybe')).status).toBe(200);
  });

  it('refuses sign-in from another site', async () => {
    const c = new ConsoleClient(t.endpoint);
    expect((await c.login(ACCESS_KEY, SECRET_KEY, { origin: 'http://evil.example' })).status).toBe(403);
    const viaFetchSite = await c.send('POST', '/api/login', { json: { accessKeyId: ACCESS_KEY, secretKey: SECRET_KEY }, headers: { 'sec-fetch-site': 'cross-site' }, origin: null });
    expect(viaFetchSite.status).toBe(403);
  });

  it('needs the CSRF token and the console origin for every state-changing request', async () => {
    const c = new ConsoleClient(t.endpoint);
    await c.login(ACCESS_KEY, SECRET_KEY);
    const noToken = await c.send('PUT', '/api/s3/csrf-none', { csrf: null });
    expect(noToken.status).toBe(403);
    expect(noToken.json.error.code).toBe('CsrfRejected');
    expect((await c.send('PUT', '/api/s3/csrf-wrong', { csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await c.send('PUT', '/api/s3/csrf-origin', { origin: 'http://evil.example' })).status).toBe(403);
    expect((await c.send('PUT', '/api/s3/csrf-site', { headers: { 'sec-fetch-site': 'same-site' } })).status).toBe(403);
    expect((await c.send('POST', '/api/logout', { csrf: null })).status).toBe(403);
    const made = await c.send('PUT', '/api/s3/csrf-ok');
    expect(made.status).toBe(200);
    // Without a session nothing runs, whatever else is sent.
    expect((await c.send('PUT', '/api/s3/csrf-nosession', { cookie: null })).status).toBe(401);
  });

  it('sends no CORS headers on console paths, even for a bucket whose CORS rules allow every origin', async () => {
    await t.client().send(new PutBucketCorsCommand({ Bucket: 'console-data', CORSConfiguration: { CORSRules: [{ AllowedOrigins: ['*'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'] }] } }));
    const c = new ConsoleClient(t.endpoint);
    await c.login(ACCESS_KEY, SECRET_KEY);
    const evil = { origin: 'http://evil.example' };
    const preflight = await c.send('OPTIONS', '/api/session', { headers: { ...evil, 'access-control-request-method': 'GET' } });
    const get = await c.send('GET', '/api/session', { headers: evil });
    const s3Preflight = await c.send('OPTIONS', '/api/s3/console-data/page.html', { headers: { ...evil, 'access-control-request-method': 'GET' } });
    const s3Get = await c.send('GET', '/api/s3/console-data/page.html', { headers: evil });
    const s3Error = await c.send('GET', '/api/s3/console-data/missing', { headers: evil });
    expect(s3Get.status).toBe(200);
    expect(s3Error.status).toBe(404);
    // The same bucket answers CORS on its S3 path, so the rules are in force.
    const direct = await request(`${t.endpoint}/console-data/page.html`, { headers: evil });
    await direct.body.text();
    expect(direct.headers['access-control-allow-origin']).toBe('*');
    for (const res of [preflight, get, s3Preflight, s3Get, s3Error]) {
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('runs S3 requests as the signed-in user: allowed reads work, the rest is AccessDenied', async () => {
    const c = new ConsoleClient(t.endpoint);
    expect((await c.login(reader.accessKeyId, reader.secretKey)).json.user).toBe('reader');
    const list = await c.send('GET', '/api/s3/console-data?list-type=2');
    expect(list.status).toBe(200);
    expect(list.body).toContain('<Key>page.html</Key>');
    const put = await c.send('PUT', '/api/s3/console-data/new.txt', { body: 'no' });
    expect(put.status).toBe(403);
    expect(put.body).toContain('<Code>AccessDenied</Code>');
    expect((await c.send('GET', '/api/admin/users')).status).toBe(403);
    // Bytes from a bucket are never rendered on the console's origin.
    const html = await c.send('GET', '/api/s3/console-data/page.html');
    expect(html.status).toBe(200);
    expect(html.headers['content-disposition']).toBe('attachment');
    expect(html.headers['content-security-policy']).toContain('sandbox');
    expect(html.headers['x-content-type-options']).toBe('nosniff');
  });

  it('signs share links with the signed-in user’s own key, and only for what it may read', async () => {
    const c = new ConsoleClient(t.endpoint);
    await c.login(reader.accessKeyId, reader.secretKey);
    const link = await c.send('POST', '/api/presign', { json: { bucket: 'console-data', key: 'page.html', expiresSeconds: 7 * 24 * 3600 } });
    expect(link.status).toBe(200);
    const url = new URL(link.json.url);
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${reader.accessKeyId}/`));
    const fetched = await request(link.json.url);
    expect(fetched.statusCode).toBe(200);
    expect(await fetched.body.text()).toBe('<script>alert(1)</script>');
    expect((await c.send('POST', '/api/presign', { json: { bucket: 'console-data', key: 'x', expiresSeconds: 7 * 24 * 3600 + 1 } })).status).toBe(400);
    const root = new ConsoleClient(t.endpoint);
    await root.login(ACCESS_KEY, SECRET_KEY);
    await root.send('PUT', '/api/s3/private-bucket');
    const denied = await c.send('POST', '/api/presign', { json: { bucket: 'private-bucket', key: 'k', expiresSeconds: 60 } });
    expect(denied.status).toBe(403);
  });

  it('answers "can this user do this?" with the statement that decided', async () => {
    const c = new ConsoleClient(t.endpoint);
    await c.login(ACCESS_KEY, SECRET_KEY);
    const allowed = await c.send('POST', '/api/access-check', { json: { user: 'reader', action: 's3:GetObject', bucket: 'console-data', key: 'page.html' } });
    expect(allowed.json).toMatchObject({ allowed: true, reason: 'identity-policy', resource: 'arn:aws:s3:::console-data/page.html', statement: { policy: 'identity', index: 0, sid: 'ReadData' } });
    const denied = await c.send('POST', '/api/access-check', { json: { user: 'reader', action: 's3:PutObject', bucket: 'console-data', key: 'x' } });
    expect(denied.json).toMatchObject({ allowed: false, reason: 'implicit-deny' });
    expect(denied.json.statement).toBeUndefined();
    // A user may ask about itself, not about others.
    const self = new ConsoleClient(t.endpoint);
    await self.login(reader.accessKeyId, reader.secretKey);
    expect((await self.send('POST', '/api/access-check', { json: { user: 'reader', action: 's3:ListBucket', bucket: 'console-data' } })).json.allowed).toBe(true);
    expect((await self.send('POST', '/api/access-check', { json: { user: 'someone', action: 's3:ListBucket', bucket: 'console-data' } })).status).toBe(403);
  });

  it('evaluates "can this user do this?" with the request facts the operator supplies', async () => {
    await createUser(t, 'office', {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'FromOffice', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::console-data/*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        { Sid: 'OnlyTls', Effect: 'Deny', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
        { Sid: 'ListReports', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::console-data', Condition: { StringLike: { 's3:prefix': 'reports/*' } } },
        { Sid: 'TaggedPublic', Effect: 'Allow', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::console-data/*', Condition: { StringEquals: { 's3:ExistingObjectTag/class': 'scratch' } } },
      ],
    });
    const c = new ConsoleClient(t.endpoint);
    await c.login(ACCESS_KEY, SECRET_KEY);
    const check = async (json: object) => (await c.send('POST', '/api/access-check', { json: { user: 'office', ...json } })).json;
    const get = { action: 's3:GetObject', bucket: 'console-data', key: 'page.html' };
    expect(await check(get), 'no source address: the condition does not match').toMatchObject({ allowed: false, reason: 'implicit-deny' });
    expect(await check({ ...get, facts: { 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'true' } })).toMatchObject({
      allowed: true,
      reason: 'identity-policy',
      statement: { sid: 'FromOffice' },
      facts: { 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'true' },
    });
    expect(await check({ ...get, facts: { 'aws:SourceIp': '192.168.1.1', 'aws:SecureTransport': 'true' } })).toMatchObject({ allowed: false, reason: 'implicit-deny' });
    expect(await check({ ...get, facts: { 'aws:SourceIp': '10.1.2.3', 'aws:SecureTransport': 'false' } })).toMatchObject({
      allowed: false,
      reason: 'explicit-deny',
      statement: { sid: 'OnlyTls' },
    });
    const list = { action: 's3:ListBucket', bucket: 'console-data' };
    expect(await check({ ...list, facts: { 's3:prefix': 'reports/2026/' } })).toMatchObject({ allowed: true, statement: { sid: 'ListReports' } });
    expect(await check({ ...list, facts: { 's3:prefix': 'private/' } })).toMatchObject({ allowed: false });
    // A key that does not exist takes the supplied tags; an existing object answers with its own (none here).
    const del = { action: 's3:DeleteObject', bucket: 'console-data' };
    expect(await check({ ...del, key: 'nothing-here', facts: { 's3:ExistingObjectTag/class': 'scratch' } })).toMatchObject({ allowed: true, objectTagsUsed: false });
    expect(await check({ ...del, key: 'page.html', facts: { 's3:ExistingObjectTag/class': 'scratch' } })).toMatchObject({ allowed: false, objectTagsUsed: true });
    // Facts the check cannot use are refused plainly.
    for (const facts of [{ 'aws:SourceIp': 'not-an-address' }, { 'aws:SecureTransport': 'yes' }, { 's3:nonsense': 'x' }, { 'aws:SourceIp': 3 }, ['x']]) {
      const refused = await c.send('POST', '/api/access-check', { json: { user: 'office', ...get, facts } });
      expect(refused.status, JSON.stringify(facts)).toBe(400);
      expect(refused.json.error.code).toBe('InvalidInput');
    }
  });

  it('lets a user whose policy allows it manage its own keys, and no one else’s', async () => {
    const self = await createUser(t, 'keeper', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['admin:GetUser', 'admin:CreateAccessKey', 'admin:DeleteAccessKey'], Resource: 'arn:aws:iam::sklad:user/${aws:username}' }],
    });
    const c = new ConsoleClient(t.endpoint);
    await c.login(self.accessKeyId, self.secretKey);
    expect((await c.send('GET', '/api/admin/users/keeper')).json.accessKeys).toHaveLength(1);
    const made = await c.send('POST', '/api/admin/users/keeper/keys');
    expect(made.status).toBe(201);
    expect(made.json.secretKey).toMatch(/\S{20,}/);
    expect(made.headers['cache-control']).toBe('no-store');
    expect((await c.send('DELETE', `/api/admin/keys/${made.json.accessKeyId}`)).status).toBe(204);
    expect((await c.send('POST', '/api/admin/users/reader/keys')).status).toBe(403);
    expect((await c.send('GET', '/api/admin/users')).status).toBe(403);
  });

  it('ends the sessions of a disabled key or user at their next request', async () => {
    const user = await createUser(t, 'leaver', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }] });
    const c = new ConsoleClient(t.endpoint);
    await c.login(user.accessKeyId, user.secretKey);
    expect((await c.send('GET', '/api/s3/')).status).toBe(200);
    const disable = await signedRequest(t.endpoint, { method: 'PATCH', path: '/_sklad/admin/v1/users/leaver', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disabled: true }) });
    expect(disable.status).toBe(200);
    const after = await c.send('GET', '/api/s3/');
    expect(after.status).toBe(401);
    expect(String(after.headers['set-cookie'])).toContain('Max-Age=0');
    // Enabled again, the old session stays ended.
    await signedRequest(t.endpoint, { method: 'PATCH', path: '/_sklad/admin/v1/users/leaver', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ disabled: false }) });
    expect((await c.send('GET', '/api/session')).status).toBe(401);
    // A disabled key likewise.
    await c.login(user.accessKeyId, user.secretKey);
    await signedRequest(t.endpoint, { method: 'PATCH', path: `/_sklad/admin/v1/keys/${user.accessKeyId}`, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status: 'Inactive' }) });
    expect((await c.send('GET', '/api/session')).status).toBe(401);
  });

  it('logs out: the cookie is cleared and the session is gone', async () => {
    const c = new ConsoleClient(t.endpoint);
    await c.login(ACCESS_KEY, SECRET_KEY);
    const cookie = c.cookie;
    const out = await c.send('POST', '/api/logout');
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/^sklad_session=; .*Max-Age=0/);
    expect((await c.send('GET', '/api/session', { cookie })).status).toBe(401);
  });

  it('records sign-ins, failures and sign-outs in the audit log, never a secret', async () => {
    await t.stop();
    const lines = (await readFile(path.join(t.dataDir, 'audit', 'audit.jsonl'), 'utf8')).trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { action: string; result: string; principal: unknown; details?: Record<string, unknown> });
    expect(events.some((e) => e.action === 'console:Login' && e.result === 'success' && JSON.stringify(e.principal).includes('"root"'))).toBe(true);
    expect(events.some((e) => e.action === 'console:Login' && e.result === 'failure' && e.details?.accessKeyId === 'NOSUCHKEY0000000')).toBe(true);
    expect(events.some((e) => e.action === 'console:Logout')).toBe(true);
    // The reader's denied PUT through the console is audited like any denied S3 request.
    expect(events.some((e) => e.action === 'PutObject' && e.result === 'failure' && JSON.stringify(e.principal).includes('reader'))).toBe(true);
    expect(lines.join('\n')).not.toContain(SECRET_KEY);
    expect(lines.join('\n')).not.toContain(reader.secretKey);
    await t.restart();
  });
});

describe('web console: sign-in rate limits', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('locks a key after repeated failures, even for the right secret, and then an address', async () => {
    const c = new ConsoleClient(t.endpoint);
    for (let i = 0; i < 5; i++) expect((await c.login(ACCESS_KEY, `wrong-${i}`)).status).toBe(401);
    const locked = await c.login(ACCESS_KEY, SECRET_KEY);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Guessing across many keys from one address is stopped too (20 failures per address).
    for (let i = 0; i < 15; i++) expect((await c.login(`GUESS${i}`, 'x')).status).toBe(401);
    expect((await c.login('ANOTHERKEY', 'x')).status).toBe(429);
  });
});

describe('web console switched off', () => {
  it('is not served with --console off', async () => {
    const t = await startTestServer({ env: { SKLAD_CONSOLE: 'off' } });
    try {
      const res = await request(`${t.endpoint}${CONSOLE}/`);
      const body = await res.body.text();
      expect(res.statusCode).not.toBe(200);
      expect(body).toContain('<Error>');
    } finally {
      await t.cleanup();
    }
  });
});

describe('web console over TLS', () => {
  it('marks the session cookie Secure with the __Host- prefix, and reads it back only under that name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sklad-console-tls-'));
    const cert = await makeCertificate();
    await writeFile(path.join(dir, 'cert.pem'), cert.cert);
    await writeFile(path.join(dir, 'key.pem'), cert.key, { mode: 0o600 });
    const t = await startTestServer({ env: { SKLAD_TLS_CERT: path.join(dir, 'cert.pem'), SKLAD_TLS_KEY: path.join(dir, 'key.pem') } });
    const dispatcher = new Agent({ connect: { ca: cert.cert } });
    try {
      const origin = `https://127.0.0.1:${t.server.port}`;
      const send = async (method: string, route: string, headers: Record<string, string>, body?: string) => {
        const res = await request(`${origin}${CONSOLE}${route}`, { method: method as 'GET', headers, body, dispatcher });
        return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
      };
      const login = await send('POST', '/api/login', { origin, 'content-type': 'application/json' }, JSON.stringify({ accessKeyId: ACCESS_KEY, secretKey: SECRET_KEY }));
      expect(login.status).toBe(200);
      const cookie = String(login.headers['set-cookie']);
      expect(cookie).toMatch(/^__Host-sklad_session=[\w-]+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
      const id = cookie.split(';')[0]!.split('=')[1]!;
      expect((await send('GET', '/api/session', { cookie: `__Host-sklad_session=${id}` })).status).toBe(200);
      // The plain-HTTP name is not honoured over TLS.
      expect((await send('GET', '/api/session', { cookie: `sklad_session=${id}` })).status).toBe(401);
      // An http:// Origin is another origin than the https:// console.
      const crossScheme = await send('POST', '/api/logout', { cookie: `__Host-sklad_session=${id}`, origin: `http://127.0.0.1:${t.server.port}`, 'x-sklad-csrf': JSON.parse(login.body).csrfToken });
      expect(crossScheme.status).toBe(403);
    } finally {
      await dispatcher.close();
      await t.cleanup();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
