import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus } from '../spaces/helpers.ts';
import { createWorkflow, executions } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('card shown by a command → interacted → card_interaction workflow → card updated (socket events)', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  const tok = space.owner.accessToken;
  const tpl = await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/card-templates`, {
      token: tok,
      body: {
        name: 'Approval',
        titleTemplate: 'Request from {{username}}: {{args.what}}',
        bodyTemplate: 'Asked in #{channelName}',
        color: '#112233',
        fields: [
          { id: 'size', label: 'Size', type: 'select', options: ['S', 'L'] },
          { id: 'note', label: 'Note', type: 'text' },
        ],
        buttons: [
          { id: 'approve', label: 'Approve', style: 'primary' },
          { id: 'deny', label: 'Deny', style: 'danger' },
        ],
      },
    }),
    201,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/card-templates`, {
      token: tok,
      body: { name: 'x', titleTemplate: 't', buttons: [{ id: 'a', label: 'A', style: 'fancy' }] },
    }),
    400,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: tok,
      body: {
        name: 'ask',
        description: 'Ask',
        args: [{ name: 'what', type: 'text', description: '', required: true }],
      },
    }),
    201,
  );
  await createWorkflow(t, space, {
    triggerType: 'slash_command',
    triggerConfig: { commandName: 'ask' },
    actions: [{ type: 'show_card', config: { templateId: tpl.id } }],
  });
  const onApprove = await createWorkflow(t, space, {
    name: 'approve',
    triggerType: 'card_interaction',
    triggerConfig: { templateId: tpl.id },
    conditions: {
      operator: 'AND',
      rules: [
        { type: 'button_is', config: { buttonId: 'approve' } },
        { type: 'card_field_not_null', config: { field: 'size' } },
      ],
    },
    actions: [
      {
        type: 'update_card',
        config: { fields: { approvedBy: '{{username}}', what: '{{card.args.what}}' }, status: 'completed' },
      },
      { type: 'send_message', config: { content: '{{mention}} approved {card.title} size {{fields.size}}' } },
    ],
  });
  const onDeny = await createWorkflow(t, space, {
    name: 'deny',
    triggerType: 'card_interaction',
    triggerConfig: { templateId: tpl.id },
    conditions: { operator: 'AND', rules: [{ type: 'button_is', config: { buttonId: 'deny' } }] },
    actions: [{ type: 'dismiss_card', config: {} }],
  });
  const sock = await SioClient.connect(t, carol.accessToken);
  try {
    assert.equal((await sock.call('channel:join', { channelId: space.generalId })).ok, true);
    // 1. bob asks: the card appears on carol's socket.
    await expectStatus(
      t.api('POST', `/spaces/${space.id}/workflows/commands/ask/invoke`, {
        token: bob.accessToken,
        body: { channelId: space.generalId, args: { what: 'a bike' } },
      }),
      200,
    );
    const shown = await sock.waitFor('workflow:card_created', (c) => c.templateId === tpl.id, 10_000);
    assert.equal(shown.title, `Request from ${bob.username}: a bike`);
    assert.equal(shown.body, 'Asked in #general');
    assert.equal(shown.status, 'active');
    assert.equal(shown.color, '#112233');
    const got = await expectStatus(
      t.api('GET', `/spaces/${space.id}/workflows/cards/${shown.id}`, { token: carol.accessToken }),
      200,
    );
    assert.equal(got.template.id, tpl.id);
    assert.deepEqual(
      got.template.buttons.map((b: any) => b.style),
      ['primary', 'danger'],
    );
    // 2. bad interactions: unknown button, an option not offered.
    const path = `/spaces/${space.id}/workflows/cards/${shown.id}/interact`;
    await expectStatus(t.api('POST', path, { token: carol.accessToken, body: { buttonId: 'nope' } }), 400);
    await expectStatus(
      t.api('POST', path, { token: carol.accessToken, body: { fields: { size: 'XL' } } }),
      400,
    );
    // 3. approve without a size: the approve workflow's conditions do not hold (skipped).
    const first = await expectStatus(
      t.api('POST', path, { token: carol.accessToken, body: { buttonId: 'approve' } }),
      200,
    );
    assert.deepEqual(
      first.executions.map((e: any) => [e.workflowName, e.status, e.actionsRun]),
      [
        ['approve', 'skipped', 0],
        ['deny', 'skipped', 0],
      ],
    );
    // 4. approve with a size: the card is updated and completed, the message rendered.
    const res = await expectStatus(
      t.api('POST', path, { token: carol.accessToken, body: { buttonId: 'approve', fields: { size: 'L' } } }),
      200,
    );
    assert.equal(res.executions[0].status, 'success');
    assert.equal(res.executions[0].actionsRun, 2);
    assert.equal(res.card.status, 'completed');
    assert.deepEqual(res.card.fields, { size: 'L', approvedBy: carol.username, what: 'a bike' });
    const upd = await sock.waitFor(
      'workflow:card_updated',
      (c) => c.id === shown.id && c.status === 'completed',
      10_000,
    );
    assert.equal(upd.fields.approvedBy, carol.username);
    await sock.waitFor(
      'message:new',
      (m) => m.content === `@${carol.username} approved Request from ${bob.username}: a bike size L`,
      10_000,
    );
    // 5. the card is no longer active: 400, and no workflow runs.
    const closed = await t.api('POST', path, { token: carol.accessToken, body: { buttonId: 'deny' } });
    assert.equal(closed.status, 400);
    assert.match(closed.body.error.message, /not active/);
    assert.equal((await executions(t, space, onDeny.id)).length, 2);
    assert.equal((await executions(t, space, onApprove.id)).length, 2);
  } finally {
    await sock.close();
  }
});

test('dismiss_card: workflow:card_dismissed, then interact → 400', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const tok = space.owner.accessToken;
  const tpl = await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/card-templates`, {
      token: tok,
      body: {
        name: 'Poll',
        titleTemplate: 'Poll',
        buttons: [{ id: 'close', label: 'Close', style: 'secondary' }],
      },
    }),
    201,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: tok,
      body: { name: 'poll', description: 'Poll' },
    }),
    201,
  );
  await createWorkflow(t, space, {
    triggerType: 'slash_command',
    triggerConfig: { commandName: 'poll' },
    actions: [{ type: 'show_card', config: { templateId: tpl.id } }],
  });
  await createWorkflow(t, space, {
    triggerType: 'card_interaction',
    triggerConfig: { templateId: tpl.id },
    actions: [{ type: 'dismiss_card', config: {} }],
  });
  const sock = await SioClient.connect(t, bob.accessToken);
  try {
    await sock.call('channel:join', { channelId: space.generalId });
    await expectStatus(
      t.api('POST', `/spaces/${space.id}/workflows/commands/poll/invoke`, {
        token: bob.accessToken,
        body: { channelId: space.generalId },
      }),
      200,
    );
    const card = await sock.waitFor('workflow:card_created', (c) => c.templateId === tpl.id, 10_000);
    const path = `/spaces/${space.id}/workflows/cards/${card.id}/interact`;
    await expectStatus(t.api('POST', path, { token: bob.accessToken, body: { buttonId: 'close' } }), 200);
    const gone = await sock.waitFor('workflow:card_dismissed', (c) => c.id === card.id, 10_000);
    assert.equal(gone.status, 'dismissed');
    await expectStatus(t.api('POST', path, { token: bob.accessToken, body: { buttonId: 'close' } }), 400);
  } finally {
    await sock.close();
  }
});
