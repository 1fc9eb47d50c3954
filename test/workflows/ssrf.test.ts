import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestContext } from '../context.ts';
import { createSpace, expectStatus } from '../spaces/helpers.ts';
import { createWorkflow, waitExecutions } from './helpers.ts';

let t: TestContext;
let server: http.Server;
let port = 0;
let hits = 0;

before(async () => {
  server = http.createServer((_req, res) => {
    hits++;
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // No WORKFLOW_HTTP_ALLOW_PRIVATE: the default refuses private and loopback addresses.
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000', WORKFLOW_HTTP_TIMEOUT_MS: '1000' } });
});
after(async () => {
  await t.close();
  await new Promise((r) => server.close(r));
});

test('send_webhook to 127.0.0.1, 10.0.0.1, localhost, [::1] is refused and logged; other workflows keep working', async () => {
  const space = await createSpace(t);
  const targets = [
    `http://127.0.0.1:${port}/x`,
    'http://10.0.0.1/hook',
    `http://localhost:${port}/x`,
    `http://[::1]:${port}/x`,
    `http://[::ffff:127.0.0.1]:${port}/x`,
  ];
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: space.owner.accessToken,
      body: { name: 'go', description: 'Go' },
    }),
    201,
  );
  const flows = [];
  for (const url of targets)
    flows.push(
      await createWorkflow(t, space, {
        name: url,
        triggerType: 'slash_command',
        triggerConfig: { commandName: 'go' },
        actions: [
          { type: 'send_webhook', config: { url } },
          { type: 'send_message', config: { content: 'after' } },
        ],
      }),
    );
  const fine = await createWorkflow(t, space, {
    name: 'fine',
    triggerType: 'slash_command',
    triggerConfig: { commandName: 'go' },
    actions: [{ type: 'send_message', config: { content: 'still working' } }],
  });
  const res = await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands/go/invoke`, {
      token: space.owner.accessToken,
      body: { channelId: space.generalId },
    }),
    200,
  );
  assert.equal(res.executions.length, targets.length + 1);
  for (const e of res.executions.slice(0, targets.length)) {
    assert.equal(e.status, 'error', e.workflowName);
    assert.equal(e.actionsRun, 0);
    assert.match(e.errorMessage, /^send_webhook: Refused: .* (loopback|private|ipv4Mapped)/, e.workflowName);
  }
  assert.equal(res.executions.at(-1).status, 'success');
  assert.equal((await waitExecutions(t, space, fine.id, 1))[0].status, 'success');
  assert.equal(hits, 0, 'nothing reached the local server');
  const ms = await expectStatus(
    t.api('GET', `/channels/${space.generalId}/messages`, { token: space.owner.accessToken }),
    200,
  );
  assert.ok(ms.some((m: any) => m.content === 'still working'));
  assert.ok(!ms.some((m: any) => m.content === 'after'), 'no action after the refused one ran');
});
