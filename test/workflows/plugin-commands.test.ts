import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus } from '../spaces/helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('a command of a plugin enabled in the space is invoked like a custom one (args checked, message on a socket)', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const invoke = (args: Record<string, unknown>) =>
    t.api('POST', `/spaces/${space.id}/workflows/commands/roll/invoke`, {
      token: bob.accessToken,
      body: { channelId: space.generalId, args },
    });
  await expectStatus(invoke({ dice: '2d6' }), 404); // not enabled in this space yet
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/plugins`, {
      token: space.owner.accessToken,
      body: { plugins: [{ id: 'reef.dice', enabled: true }] },
    }),
    200,
  );
  // Listed for any member beside the space's own commands, marked with the plugin.
  const listed = await expectStatus(
    t.api('GET', `/spaces/${space.id}/workflows/commands`, { token: bob.accessToken }),
    200,
  );
  const commands = listed as Array<{ name: string; pluginId?: string; args: Array<{ name: string }> }>;
  const roll = commands.find((c) => c.name === 'roll');
  assert.equal(roll?.pluginId, 'reef.dice');
  assert.ok(roll.args.some((a) => a.name === 'dice'));
  const bad = await invoke({ nope: 1 });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.message, 'args.nope: is not an argument of this command');
  const sock = await SioClient.connect(t, space.owner.accessToken);
  try {
    await sock.call('channel:join', { channelId: space.generalId });
    const res = await expectStatus(invoke({ dice: '3d4+1' }), 200);
    assert.equal(res.ok, true);
    assert.equal(res.plugin.id, 'reef.dice');
    const { rolls, total, content } = res.plugin.output;
    assert.equal(rolls.length, 3);
    assert.equal(total, rolls.reduce((a: number, b: number) => a + b, 0) + 1);
    assert.ok(content.startsWith(`🎲 @${bob.username} rolled 3d4+1`));
    const m = await sock.waitFor('message:new', (d) => d.content === content, 10_000);
    assert.equal(m.channelId, space.generalId);
  } finally {
    await sock.close();
  }
});
