import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createRole, createSpace, expectStatus, grantRoles } from '../spaces/helpers.ts';
import { createWorkflow, executions } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('slash command → rendered message in the channel, seen on another member’s socket', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  const name = uniq('greet')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 32);
  const cmd = await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: space.owner.accessToken,
      body: {
        name,
        description: 'Greets someone',
        args: [
          { name: 'who', type: 'user', description: 'whom', required: true },
          { name: 'times', type: 'number', description: 'how often', required: false },
          { name: 'loud', type: 'boolean', description: '', required: false },
        ],
      },
    }),
    201,
  );
  assert.equal(cmd.name, name);
  assert.equal(cmd.args.length, 3);
  // Any member lists commands; only MANAGE_WORKFLOWS manages them.
  const listed = await expectStatus(
    t.api('GET', `/spaces/${space.id}/workflows/commands`, { token: bob.accessToken }),
    200,
  );
  assert.deepEqual(
    listed.map((c: any) => c.name),
    [name],
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: bob.accessToken,
      body: { name: 'nope', description: 'x' },
    }),
    403,
  );
  const wf = await createWorkflow(t, space, {
    triggerType: 'slash_command',
    triggerConfig: { commandName: name },
    actions: [
      {
        type: 'send_message',
        config: {
          content:
            'Hi {{args.who}} x{args.times}, from {{mention}} ({{displayName}}) in #{{channelName}} of {{space}}{{missing.value}}!',
        },
      },
    ],
  });
  const sock = await SioClient.connect(t, carol.accessToken);
  try {
    assert.equal((await sock.call('channel:join', { channelId: space.generalId })).ok, true);
    const res = await expectStatus(
      t.api('POST', `/spaces/${space.id}/workflows/commands/${name}/invoke`, {
        token: bob.accessToken,
        body: { channelId: space.generalId, args: { who: `@${carol.username}`, times: '3' } },
      }),
      200,
    );
    // Synchronous: the run is done when the response comes.
    assert.equal(res.executions.length, 1);
    assert.equal(res.executions[0].status, 'success');
    assert.equal(res.executions[0].actionsRun, 1);
    const expected = `Hi ${carol.id} x3, from @${bob.username} (User ${bob.username}) in #general of Space ${space.slug}!`;
    const got = await sock.waitFor('message:new', (d) => d.content === expected, 10_000);
    assert.equal(got.content, expected);
    assert.equal(got.channelId, space.generalId);
    assert.equal(got.type, 'system');
    const logs = await executions(t, space, wf.id);
    assert.equal(logs.length, 1);
    assert.equal(logs[0].workflowName, 'wf');
    assert.equal(logs[0].status, 'success');
    assert.equal(typeof logs[0].durationMs, 'number');
  } finally {
    await sock.close();
  }
});

test('command rules: names, max 10 args, typed args validated on invoke with a clear 400', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const tok = space.owner.accessToken;
  const post = (body: unknown) =>
    t.api('POST', `/spaces/${space.id}/workflows/commands`, { token: tok, body });
  await expectStatus(post({ name: 'Bad Name', description: 'x' }), 400);
  await expectStatus(post({ name: 'a'.repeat(33), description: 'x' }), 400);
  await expectStatus(post({ name: 'ok', description: '' }), 400);
  const eleven = Array.from({ length: 11 }, (_, i) => ({
    name: `a${i}`,
    type: 'text',
    description: '',
    required: false,
  }));
  const tooMany = await expectStatus(post({ name: 'many', description: 'x', args: eleven }), 400);
  assert.equal(tooMany.error.code, 'VALIDATION_ERROR');
  await expectStatus(
    post({
      name: 'typed',
      description: 'x',
      args: [{ name: 'a', type: 'date', description: '', required: false }],
    }),
    400,
  );
  const role = await createRole(t, space, 0n);
  await expectStatus(
    post({
      name: 'typed',
      description: 'all types',
      args: [
        { name: 'n', type: 'number', description: '', required: true },
        { name: 'b', type: 'boolean', description: '', required: false },
        { name: 'c', type: 'channel', description: '', required: false },
        { name: 'r', type: 'role', description: '', required: false },
        { name: 'u', type: 'user', description: '', required: false },
        { name: 's', type: 'text', description: '', required: false },
      ],
    }),
    201,
  );
  await expectStatus(post({ name: 'typed', description: 'dup' }), 409);
  const wf = await createWorkflow(t, space, {
    triggerType: 'slash_command',
    triggerConfig: { commandName: 'typed' },
    actions: [
      { type: 'send_message', config: { content: 'n={{args.n}} b={{args.b}} r={{args.r}} u={{args.u}}' } },
    ],
  });
  const invoke = (args: Record<string, unknown>) =>
    t.api('POST', `/spaces/${space.id}/workflows/commands/typed/invoke`, {
      token: bob.accessToken,
      body: { channelId: space.generalId, args },
    });
  const cases: [Record<string, unknown>, string][] = [
    [{}, 'args.n: is required'],
    [{ n: 'abc' }, 'args.n: must be a number'],
    [{ n: 1, b: 'maybe' }, 'args.b: must be true or false'],
    [{ n: 1, c: '123' }, 'args.c: must be a channel of this space'],
    [{ n: 1, r: '123' }, 'args.r: must be a role of this space'],
    [{ n: 1, u: '@nobody_here_x' }, 'args.u: must be a member of this space (id or @username)'],
    [{ n: 1, zzz: 1 }, 'args.zzz: is not an argument of this command'],
  ];
  for (const [args, message] of cases) {
    const r = await invoke(args);
    assert.equal(r.status, 400, JSON.stringify(args));
    assert.equal(r.body.error.message, message);
  }
  assert.equal((await executions(t, space, wf.id)).length, 0, 'no run for a refused invocation');
  const ok = await expectStatus(invoke({ n: '2.5', b: 'true', r: role, u: bob.id }), 200);
  assert.deepEqual(ok.args, { n: 2.5, b: true, r: role, u: bob.id });
  assert.equal(ok.executions[0].status, 'success');
  // Unknown command: 404; a non-member: 403.
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands/nope/invoke`, {
      token: bob.accessToken,
      body: { channelId: space.generalId },
    }),
    404,
  );
  const outsider = await createSpace(t);
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands/typed/invoke`, {
      token: outsider.owner.accessToken,
      body: { channelId: space.generalId, args: { n: 1 } },
    }),
    403,
  );
  // A member with MANAGE_WORKFLOWS (bit 18) manages commands.
  const mw = await createRole(t, space, 1n << 18n);
  await grantRoles(t, space, bob, [mw]);
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: bob.accessToken,
      body: { name: 'bobs', description: 'x' },
    }),
    201,
  );
});
