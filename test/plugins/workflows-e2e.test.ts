/**
 * User code through the workflows HTTP API (issue 9): a slash command whose workflow runs the
 * admin's `run_script` (input = the trigger's variables; it posts through ctx.messages, seen on
 * another member's socket); a `plugin_action` of a third-party plugin from a temp PLUGINS_DIR enabled
 * for the space; a looping script ends its run with a logged error while the next command still works,
 * and a plugin action in a space that did not enable the plugin fails its run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestContext, uniq } from '../context.ts';
import { SioClient, barrier } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus, type TestSpace } from '../spaces/helpers.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-plugins-e2e-'));
fs.mkdirSync(path.join(dir, 'stamp'));
fs.writeFileSync(
  path.join(dir, 'stamp', 'manifest.json'),
  JSON.stringify({
    id: 'acme.stamp',
    version: '1.0.0',
    description: 'Stamps a message',
    capabilities: ['messages'],
    actions: [{ type: 'stamp', description: 'posts a stamped line' }],
    config: { stamp: { type: 'string', default: '[stamp]' } },
  }),
);
fs.writeFileSync(
  path.join(dir, 'stamp', 'index.js'),
  `export default {
  actions: {
    async stamp(input, ctx) {
      await ctx.messages.send({ channelId: input.channelId, content: ctx.config.stamp + ' ' + input.text + ' by ' + input.username });
      return { stamped: true };
    },
  },
};`,
);

let t: TestContext;
before(async () => {
  t = await TestContext.start({
    env: { PLUGINS_DIR: dir, PLUGINS_CPU_MS: '200', ACTOR_ASK_TIMEOUT_MS: '20000' },
  });
});
after(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cmdName = () =>
  uniq('c')
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '')
    .slice(0, 32);

async function command(space: TestSpace, actions: unknown[]): Promise<string> {
  const name = cmdName();
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands`, {
      token: space.owner.accessToken,
      body: {
        name,
        description: 'test',
        args: [{ name: 'text', type: 'text', description: '', required: false }],
      },
    }),
    201,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows`, {
      token: space.owner.accessToken,
      body: {
        name: `wf ${name}`,
        triggerType: 'slash_command',
        triggerConfig: { commandName: name },
        actions,
      },
    }),
    201,
  );
  return name;
}

const invoke = (space: TestSpace, token: string, name: string, text: string) =>
  expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows/commands/${name}/invoke`, {
      token,
      body: { channelId: space.generalId, args: { text } },
    }),
    200,
  );

test('slash command → run_script in the space isolate → message seen on another member’s socket', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const carol = await addMember(t, space);
  const name = await command(space, [
    {
      type: 'run_script',
      config: {
        code: `const words = String(input.args.text).split(' ');
await ctx.messages.send({ content: 'script: ' + words.reverse().join(' ') + ' (' + input.commandName + ')' });
return { n: words.length };`,
      },
    },
  ]);
  const word = uniq('w');
  const sock = await SioClient.connect(t, carol.accessToken);
  try {
    assert.equal((await sock.call('channel:join', { channelId: space.generalId })).ok, true);
    await barrier(t, `channel:${space.generalId}`, [sock]);
    const res = await invoke(space, bob.accessToken, name, `hello ${word}`);
    assert.equal(res.executions[0].status, 'success', JSON.stringify(res.executions));
    const msg = await sock.waitFor(
      'message:new',
      (m: any) => m.content === `script: ${word} hello (${name})`,
      15_000,
    );
    assert.equal(msg.channelId, space.generalId);
  } finally {
    await sock.close();
  }
});

test('a looping run_script ends its run with a logged error; the next command and another space still work', async () => {
  const space = await createSpace(t);
  const loop = await command(space, [
    { type: 'send_message', config: { content: 'before the loop' } },
    { type: 'run_script', config: { code: 'for (;;) {}' } },
    { type: 'send_message', config: { content: 'never sent' } },
  ]);
  const res = await invoke(space, space.owner.accessToken, loop, 'x');
  const ex = res.executions[0];
  assert.ok(['error', 'partial'].includes(ex.status), JSON.stringify(ex));
  assert.equal(ex.actionsRun, 1, JSON.stringify(ex));
  assert.match(String(ex.errorMessage), /CPU_LIMIT/);
  const msgs = await expectStatus<any>(
    t.api('GET', `/channels/${space.generalId}/messages`, { token: space.owner.accessToken }),
    200,
  );
  const contents = (Array.isArray(msgs) ? msgs : msgs.messages).map((m: any) => m.content);
  assert.ok(contents.includes('before the loop'));
  assert.ok(!contents.includes('never sent'));

  const ok = await command(space, [
    { type: 'run_script', config: { code: 'return input.args.text.length' } },
  ]);
  assert.equal((await invoke(space, space.owner.accessToken, ok, 'abc')).executions[0].status, 'success');
  const other = await createSpace(t);
  const ok2 = await command(other, [{ type: 'run_script', config: { code: 'return 1' } }]);
  assert.equal((await invoke(other, other.owner.accessToken, ok2, 'x')).executions[0].status, 'success');
});

test('plugin_action of a third-party plugin enabled for the space (and refused where it is not)', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/plugins`, {
      token: space.owner.accessToken,
      body: { plugins: [{ id: 'acme.stamp', enabled: true, config: { stamp: '[ok]' } }] },
    }),
    200,
  );
  const action = {
    type: 'plugin_action',
    config: { pluginId: 'acme.stamp', action: 'stamp', input: { text: '{{args.text}}' } },
  };
  const name = await command(space, [action]);
  const word = uniq('p');
  const res = await invoke(space, bob.accessToken, name, word);
  assert.equal(res.executions[0].status, 'success', JSON.stringify(res.executions));
  const msgs = await expectStatus<any>(
    t.api('GET', `/channels/${space.generalId}/messages`, { token: bob.accessToken }),
    200,
  );
  const contents = (Array.isArray(msgs) ? msgs : msgs.messages).map((m: any) => m.content);
  assert.ok(contents.includes(`[ok] ${word} by ${bob.username}`), JSON.stringify(contents));

  const other = await createSpace(t);
  const name2 = await command(other, [action]);
  const res2 = await invoke(other, other.owner.accessToken, name2, 'x');
  assert.equal(res2.executions[0].status, 'error', JSON.stringify(res2.executions));
  assert.match(String(res2.executions[0].errorMessage), /NOT_ENABLED/);
});
