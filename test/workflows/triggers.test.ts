import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUser } from '../helpers/users.ts';
import { until } from '../realtime-clients.ts';
import { addMember, createRole, createSpace, expectStatus, invite, send } from '../spaces/helpers.ts';
import { createWorkflow, executions, messages, waitExecutions } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('member_joined with invite_code_is: welcome message and role for that invite only', async () => {
  const space = await createSpace(t);
  const vip = await createRole(t, space, 0n, uniq('vip'));
  const vipCode = await invite(t, space);
  const otherCode = await invite(t, space);
  const wf = await createWorkflow(t, space, {
    triggerType: 'member_joined',
    conditions: { operator: 'AND', rules: [{ type: 'invite_code_is', config: { code: vipCode } }] },
    actions: [
      {
        type: 'send_message',
        config: {
          channelId: space.generalId,
          content: 'Welcome {{mention}} (code {{inviteCode}}) to {{spaceName}}',
        },
      },
      { type: 'add_role', config: { roleId: vip } },
    ],
  });
  const ann = await registerUser(t);
  const ben = await registerUser(t);
  await expectStatus(t.api('POST', '/spaces/join', { token: ann.accessToken, body: { code: vipCode } }), 200);
  await expectStatus(
    t.api('POST', '/spaces/join', { token: ben.accessToken, body: { code: otherCode } }),
    200,
  );
  const logs = await waitExecutions(t, space, wf.id, 2);
  assert.deepEqual(logs.map((l) => l.status).sort(), ['skipped', 'success']);
  const roles = await expectStatus(
    t.api('GET', `/spaces/${space.id}/members/${ann.id}/roles`, { token: space.owner.accessToken }),
    200,
  );
  assert.ok(
    roles.some((r: any) => r.id === vip),
    'ann got the role',
  );
  const benRoles = await expectStatus(
    t.api('GET', `/spaces/${space.id}/members/${ben.id}/roles`, { token: space.owner.accessToken }),
    200,
  );
  assert.ok(!benRoles.some((r: any) => r.id === vip), 'ben did not');
  const ms = await messages(t, ben.accessToken, space.generalId);
  assert.ok(
    ms.some((m) => m.content === `Welcome @${ann.username} (code ${vipCode}) to Space ${space.slug}`),
  );
  assert.ok(!ms.some((m) => m.content.includes(ben.username)));
});

test('message_created: nested condition tree with negate, channel filter; workflow messages do not re-trigger', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const mod = await createRole(t, space, 0n, uniq('mod'));
  const word = uniq('kw');
  // (contains word AND NOT (author is mod)) OR equals "ping!" (case-sensitive)
  const wf = await createWorkflow(t, space, {
    triggerType: 'message_created',
    triggerConfig: { channelId: space.generalId },
    conditions: {
      operator: 'OR',
      rules: [
        {
          operator: 'AND',
          rules: [
            { type: 'message_contains', config: { value: word } },
            { operator: 'AND', negate: true, rules: [{ type: 'user_has_role', config: { roleId: mod } }] },
          ],
        },
        { type: 'message_equals', config: { value: 'ping!', caseSensitive: true } },
      ],
    },
    actions: [
      { type: 'send_message', config: { content: 'echo {{messageContent}} by {{username}} #{{messageId}}' } },
    ],
  });
  const m1 = await send(t, bob, space.generalId, `hello ${word.toUpperCase()}`);
  await waitExecutions(t, space, wf.id, 1);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/members/${bob.id}/roles`, {
      token: space.owner.accessToken,
      body: { roleIds: [mod] },
    }),
    200,
  );
  await send(t, bob, space.generalId, `again ${word}`);
  await send(t, bob, space.generalId, 'PING!');
  await send(t, bob, space.generalId, 'ping!');
  const logs = await waitExecutions(t, space, wf.id, 4);
  assert.deepEqual(logs.map((l) => l.status).sort(), ['skipped', 'skipped', 'success', 'success']);
  const ms = await messages(t, bob.accessToken, space.generalId);
  const echoes = ms
    .filter((m) => m.content.startsWith('echo '))
    .map((m) => m.content)
    .sort();
  assert.equal(echoes.length, 2);
  assert.ok(echoes.includes(`echo hello ${word.toUpperCase()} by ${bob.username} #${m1.id}`));
  // Another channel is filtered out by triggerConfig.channelId: no further run.
  const other = await expectStatus(
    t.api('POST', `/spaces/${space.id}/channels`, {
      token: space.owner.accessToken,
      body: { name: uniq('c') },
    }),
    201,
  );
  await send(t, bob, other.id, `elsewhere ${word}`);
  await send(t, bob, space.generalId, 'ping!');
  await waitExecutions(t, space, wf.id, 5);
  await until(
    async () =>
      (await messages(t, bob.accessToken, space.generalId)).filter((m) => m.content.startsWith('echo '))
        .length === 3,
  );
  assert.equal(
    (await executions(t, space, wf.id)).length,
    5,
    'the echo messages themselves triggered nothing',
  );
});

test('toggle, update, delete, execution log pagination, permissions', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const tok = space.owner.accessToken;
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows`, {
      token: tok,
      body: {
        name: 'x',
        triggerType: 'slash_command',
        triggerConfig: {},
        actions: [{ type: 'dismiss_card', config: {} }],
      },
    }),
    400,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows`, {
      token: tok,
      body: { name: 'x', triggerType: 'member_joined', actions: [] },
    }),
    400,
  );
  const many = Array.from({ length: 21 }, () => ({ type: 'dismiss_card', config: {} }));
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows`, {
      token: tok,
      body: { name: 'x', triggerType: 'member_joined', actions: many },
    }),
    400,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows`, {
      token: bob.accessToken,
      body: { name: 'x', triggerType: 'member_joined', actions: [{ type: 'dismiss_card', config: {} }] },
    }),
    403,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: tok,
      body: { name: 'tick', description: 'Tick' },
    }),
    201,
  );
  const wf = await createWorkflow(t, space, {
    triggerType: 'slash_command',
    triggerConfig: { commandName: 'tick' },
    actions: [
      { type: 'send_message', config: { content: 'tick {{args.none}}' } },
      { type: 'update_card', config: { status: 'completed' } },
    ],
  });
  const invoke = () =>
    expectStatus(
      t.api('POST', `/spaces/${space.id}/workflows/commands/tick/invoke`, {
        token: bob.accessToken,
        body: { channelId: space.generalId },
      }),
      200,
    );
  // The second action fails (no card in a command run): partial, with the error.
  const r1 = await invoke();
  assert.equal(r1.executions[0].status, 'partial');
  assert.equal(r1.executions[0].actionsRun, 1);
  assert.equal(r1.executions[0].actionsTotal, 2);
  assert.match(r1.executions[0].errorMessage, /^update_card: No card/);
  const off = await expectStatus(
    t.api('PATCH', `/spaces/${space.id}/workflows/details/${wf.id}/toggle`, { token: tok }),
    200,
  );
  assert.equal(off.enabled, false);
  assert.deepEqual((await invoke()).executions, []);
  const on = await expectStatus(
    t.api('PATCH', `/spaces/${space.id}/workflows/details/${wf.id}/toggle`, { token: tok }),
    200,
  );
  assert.equal(on.enabled, true);
  const upd = await expectStatus(
    t.api('PUT', `/spaces/${space.id}/workflows/details/${wf.id}`, {
      token: tok,
      body: { name: 'renamed', actions: [{ type: 'send_message', config: { content: 'tock' } }] },
    }),
    200,
  );
  assert.equal(upd.name, 'renamed');
  assert.equal(upd.triggerConfig.commandName, 'tick');
  for (let i = 0; i < 3; i++) assert.equal((await invoke()).executions[0].status, 'success');
  const page1 = await expectStatus(
    t.api('GET', `/spaces/${space.id}/workflows/executions?workflowId=${wf.id}&limit=2`, { token: tok }),
    200,
  );
  assert.equal(page1.length, 2);
  assert.equal(page1[0].workflowName, 'renamed');
  const page2 = await expectStatus(
    t.api(
      'GET',
      `/spaces/${space.id}/workflows/executions?workflowId=${wf.id}&limit=2&before=${page1[1].id}`,
      { token: tok },
    ),
    200,
  );
  assert.deepEqual(
    page2.map((e: any) => e.status),
    ['success', 'partial'],
  );
  await expectStatus(
    t.api('GET', `/spaces/${space.id}/workflows/executions`, { token: bob.accessToken }),
    403,
  );
  const got = await expectStatus(
    t.api('GET', `/spaces/${space.id}/workflows/details/${wf.id}`, { token: tok }),
    200,
  );
  assert.equal(got.actions[0].config.content, 'tock');
  await expectStatus(t.api('DELETE', `/spaces/${space.id}/workflows/details/${wf.id}`, { token: tok }), 204);
  await expectStatus(t.api('GET', `/spaces/${space.id}/workflows/details/${wf.id}`, { token: tok }), 404);
  assert.deepEqual(
    await expectStatus(t.api('GET', `/spaces/${space.id}/workflows`, { token: tok }), 200),
    [],
  );
});
