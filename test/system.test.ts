import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, SERVICES } from './context.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start();
});
after(() => t.close());

test('GET /api/health reports ok and each port mode', async () => {
  const res = await t.api('GET', '/health');
  assert.equal(res.status, 200);
  assert.equal(res.body.status, 'ok');
  assert.deepEqual(
    Object.fromEntries(Object.entries(res.body.ports).map(([k, v]: [string, any]) => [k, v.mode])),
    SERVICES
      ? { db: 'postgres', bus: 'nats', kv: 'redis', jobs: 'bullmq' }
      : { db: 'pglite', bus: 'memory', kv: 'memory', jobs: 'inline' },
  );
  assert.ok(res.headers.get('x-request-id'));
});

test('unknown routes are 404 in the spec error shape', async () => {
  const res = await t.api('GET', '/no/such/route');
  assert.equal(res.status, 404);
  assert.equal(res.body.error.code, 'NOT_FOUND');
  assert.match(res.body.error.message, /not found/i);
  const outside = await t.api('GET', '/nothing-here');
  assert.equal(outside.status, 404);
});

test('a wrong method on a known path is 405', async () => {
  const res = await t.api('DELETE', '/health');
  assert.equal(res.status, 405);
  assert.equal(res.body.error.code, 'METHOD_NOT_ALLOWED');
});

test('CORS preflight is answered', async () => {
  const res = await t.api('OPTIONS', '/health', {
    headers: { origin: 'http://x.test', 'access-control-request-method': 'GET' },
  });
  assert.equal(res.status, 204);
  assert.equal(res.headers.get('access-control-allow-origin'), '*');
});

test('the request id is echoed when the client sends one', async () => {
  const res = await t.api('GET', '/health', { headers: { 'x-request-id': 'abc-123' } });
  assert.equal(res.headers.get('x-request-id'), 'abc-123');
});
