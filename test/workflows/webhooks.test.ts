import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestContext, uniq } from '../context.ts';
import { until } from '../realtime-clients.ts';
import { createSpace, expectStatus, type TestSpace } from '../spaces/helpers.ts';
import { createWorkflow, executions, messages, waitExecutions } from './helpers.ts';

interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let t: TestContext;
let server: http.Server;
let base: string;
const hits: Hit[] = [];
/** Status the local server answers per path (default 200). */
const answers = new Map<string, number[]>();

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.startsWith('/slow')) return; // never answers: the sender's timeout ends it
      const queue = answers.get(req.url ?? '') ?? [];
      res.writeHead(queue.shift() ?? 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t = await TestContext.start({
    env: {
      ACTOR_ASK_TIMEOUT_MS: '20000',
      WORKFLOW_HTTP_ALLOW_PRIVATE: '127.0.0.1',
      WORKFLOW_HTTP_TIMEOUT_MS: '500',
      WORKFLOW_WEBHOOK_ATTEMPTS: '3',
      WORKFLOW_WEBHOOK_BACKOFF_MS: '50',
      WORKFLOW_MAX_CHAIN_DEPTH: '3',
      RATE_LIMIT_WEBHOOK: '8/60',
    },
  });
});
after(async () => {
  await t.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function enableWebhooks(space: TestSpace): Promise<string> {
  const s = await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { webhooksEnabled: true },
    }),
    200,
  );
  assert.match(s.webhookSecret, /\S{16,}/);
  return s.webhookSecret;
}

test('incoming webhook → workflow: payload variables and conditions, GET from the query, 404 unless enabled', async () => {
  const space = await createSpace(t);
  await expectStatus(t.api('POST', `/webhooks/whsec_nothing/deploy`, { body: { a: 1 } }), 404);
  const wf = await createWorkflow(t, space, {
    triggerType: 'webhook',
    triggerConfig: { slug: 'deploy' },
    conditions: {
      operator: 'AND',
      rules: [{ type: 'webhook_payload_equals', config: { path: 'build.state', value: 'ok' } }],
    },
    actions: [
      {
        type: 'send_message',
        config: {
          channelId: space.generalId,
          content:
            '{{webhookMethod}} {{webhookSlug}}: {{payload.build.name}} is {payload.build.state}{{payload.nope}}',
        },
      },
    ],
  });
  const secret = await enableWebhooks(space);
  const ok = await expectStatus(
    t.api('POST', `/webhooks/${secret}/deploy`, { body: { build: { name: 'api', state: 'ok' } } }),
    200,
  );
  assert.deepEqual(ok, { ok: true });
  await expectStatus(
    t.api('POST', `/webhooks/${secret}/deploy`, { body: { build: { name: 'web', state: 'failed' } } }),
    200,
  );
  await expectStatus(t.api('GET', `/webhooks/${secret}/deploy?build.state=ok&x=1`), 200);
  await expectStatus(t.api('POST', `/webhooks/${secret}/other-slug`, { body: {} }), 200);
  const logs = await waitExecutions(t, space, wf.id, 3);
  assert.deepEqual(logs.map((l) => l.status).sort(), ['skipped', 'skipped', 'success']);
  const ms = await messages(t, space.owner.accessToken, space.generalId);
  assert.ok(ms.some((m) => m.content === 'POST deploy: api is ok'));
  // GET: the payload is the query (flat keys), so the dot path does not match: skipped above.
  const getWf = await createWorkflow(t, space, {
    triggerType: 'webhook',
    triggerConfig: { slug: 'ping' },
    conditions: {
      operator: 'AND',
      rules: [{ type: 'webhook_payload_equals', config: { path: 'n', value: 5 } }],
    },
    actions: [
      {
        type: 'send_message',
        config: { channelId: space.generalId, content: '{{webhookMethod}} ping n={{payload.n}}' },
      },
    ],
  });
  await expectStatus(t.api('GET', `/webhooks/${secret}/ping?n=5`), 200);
  await waitExecutions(t, space, getWf.id, 1);
  await until(async () =>
    (await messages(t, space.owner.accessToken, space.generalId)).some((m) => m.content === 'GET ping n=5'),
  );
  // Disabled: the same secret is unknown. Rotated: the old secret is unknown.
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { webhooksEnabled: false },
    }),
    200,
  );
  await expectStatus(t.api('POST', `/webhooks/${secret}/deploy`, { body: {} }), 404);
  await enableWebhooks(space);
  const rotated = await expectStatus(
    t.api('POST', `/spaces/${space.id}/admin-settings/rotate-webhook-secret`, {
      token: space.owner.accessToken,
    }),
    200,
  );
  assert.notEqual(rotated.webhookSecret, secret);
  await expectStatus(t.api('POST', `/webhooks/${secret}/deploy`, { body: {} }), 404);
  await expectStatus(t.api('POST', `/webhooks/${rotated.webhookSecret}/deploy`, { body: {} }), 200);
});

test('incoming webhook limits: 64 KB body (413), 8/min per secret here (429)', async () => {
  const space = await createSpace(t);
  const secret = await enableWebhooks(space);
  const big = await t.api('POST', `/webhooks/${secret}/x`, { body: { blob: 'x'.repeat(65 * 1024) } });
  assert.equal(big.status, 413);
  const statuses: number[] = [];
  for (let i = 0; i < 9; i++)
    statuses.push((await t.api('POST', `/webhooks/${secret}/x`, { body: { i } })).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 429]);
  const limited = await t.api('POST', `/webhooks/${secret}/x`, { body: {} });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error.code, 'RATE_LIMITED');
  assert.ok(limited.headers.get('retry-after'));
});

test('send_webhook: HMAC-SHA256 over "<timestamp>.<body>" with the space secret; retried through jobs', async () => {
  const space = await createSpace(t);
  const path = `/hook-${uniq('p')}`;
  answers.set(path, [500]); // the first attempt fails, the retry succeeds
  const wf = await createWorkflow(t, space, {
    triggerType: 'webhook',
    triggerConfig: { slug: 'fwd' },
    actions: [
      {
        type: 'send_webhook',
        config: {
          url: `${base}${path}`,
          headers: { 'X-Custom': '{{webhookSlug}}' },
          body: { text: 'got {{payload.v}}', space: '{{spaceName}}' },
        },
      },
    ],
  });
  const secret = await enableWebhooks(space);
  await expectStatus(t.api('POST', `/webhooks/${secret}/fwd`, { body: { v: 42 } }), 200);
  await until(() => hits.filter((h) => h.url === path).length >= 2, 15_000, 'the retry');
  const [first, retry] = hits.filter((h) => h.url === path);
  for (const h of [first!, retry!]) {
    const ts = h.headers['x-reef-timestamp'] as string;
    const want = 'sha256=' + createHmac('sha256', secret).update(`${ts}.${h.body}`).digest('hex');
    assert.equal(h.headers['x-reef-signature'], want);
    assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 60);
    assert.equal(h.headers['x-custom'], 'fwd');
    assert.deepEqual(JSON.parse(h.body), { text: 'got 42', space: `Space ${space.slug}` });
  }
  const [log] = await waitExecutions(t, space, wf.id, 1);
  assert.equal(log.status, 'error');
  assert.match(log.errorMessage, /answered 500.*will retry/);
});

test('send_webhook timeout ends the action with an error', async () => {
  const space = await createSpace(t);
  const wf = await createWorkflow(t, space, {
    triggerType: 'webhook',
    triggerConfig: { slug: 'slow' },
    actions: [{ type: 'send_webhook', config: { url: `${base}/slow-${uniq('s')}` } }],
  });
  const secret = await enableWebhooks(space);
  await expectStatus(t.api('POST', `/webhooks/${secret}/slow`, { body: {} }), 200);
  const [log] = await waitExecutions(t, space, wf.id, 1);
  assert.equal(log.status, 'error');
  assert.match(log.errorMessage, /Timed out after 500 ms/);
});

test('loop guard: a webhook workflow calling its own webhook stops at depth 3, logged skipped with the chain', async () => {
  const space = await createSpace(t);
  const secret = await enableWebhooks(space);
  const wf = await createWorkflow(t, space, {
    triggerType: 'webhook',
    triggerConfig: { slug: 'loop' },
    actions: [
      {
        type: 'send_webhook',
        config: { url: `${t.url}/api/webhooks/${secret}/loop`, body: { again: true } },
      },
    ],
  });
  await expectStatus(t.api('POST', `/webhooks/${secret}/loop`, { body: {} }), 200);
  const logs = await waitExecutions(t, space, wf.id, 4);
  const byDepth = [...logs].sort((a, b) => a.chain.length - b.chain.length);
  assert.deepEqual(
    byDepth.map((l) => [l.status, l.chain.length]),
    [
      ['success', 0],
      ['success', 1],
      ['success', 2],
      ['skipped', 3],
    ],
  );
  assert.equal(byDepth[3].actionsRun, 0);
  assert.match(byDepth[3].errorMessage, new RegExp(`Loop guard.*${wf.id} → ${wf.id} → ${wf.id} → ${wf.id}`));
  // Nothing spins on: the count stays at 4.
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await executions(t, space, wf.id)).length, 4);
});
