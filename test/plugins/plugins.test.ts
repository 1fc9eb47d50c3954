/**
 * Plugins (issue 9): GET /plugins lists the built-ins and a third-party plugin loaded from a temp
 * PLUGINS_DIR (a broken one is skipped); GET/PUT /spaces/:spaceId/plugins (MANAGE_SPACE) enables a
 * plugin with a validated config and shows what it may do; a plugin command enabled in one space runs
 * in its isolate and posts through the capability API (another member sees it on their socket); a
 * misbehaving plugin fails only its own execution while another plugin and another space keep working.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestContext, uniq } from '../context.ts';
import { SioClient, barrier } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus, type TestSpace } from '../spaces/helpers.ts';
import type { Capabilities } from '../../workflows/capabilities.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-plugins-'));

function writePlugin(name: string, manifest: Record<string, unknown>, source: string): void {
  fs.mkdirSync(path.join(dir, name));
  fs.writeFileSync(path.join(dir, name, 'manifest.json'), JSON.stringify(manifest));
  fs.writeFileSync(path.join(dir, name, 'index.js'), source);
}

writePlugin(
  'echo',
  {
    id: 'acme.echo',
    version: '1.2.0',
    description: 'Echoes text back, shouting if configured',
    capabilities: ['messages', 'kv'],
    commands: [
      {
        name: 'echo',
        description: 'Echo text',
        args: [{ name: 'text', type: 'text', required: true }],
      },
    ],
    config: { prefix: { type: 'string', default: '>>' }, shout: { type: 'boolean', default: false } },
  },
  `export default {
  commands: {
    async echo(event, ctx) {
      let text = String(event.args.text);
      if (ctx.config.shout) text = text.toUpperCase();
      const n = Number((await ctx.kv.get('count')) || 0) + 1;
      await ctx.kv.set('count', String(n));
      const content = ctx.config.prefix + ' ' + text + ' #' + n;
      await ctx.messages.send({ channelId: event.channelId, content });
      ctx.log.info('echoed', { n });
      return { content };
    },
  },
};`,
);
writePlugin(
  'rogue',
  {
    id: 'acme.rogue',
    version: '0.0.1',
    description: 'Misbehaves',
    capabilities: ['messages'],
    commands: [
      { name: 'spin', description: 'loops forever' },
      { name: 'promote', description: 'tries a role change it was not granted' },
      { name: 'peek', description: 'reads process.env' },
    ],
  },
  `export default {
  commands: {
    spin() { for (;;) {} },
    async promote(event, ctx) { await ctx.messages.send({ channelId: event.channelId, content: 'before-promote' }); try { await ctx.roles.add({ userId: event.userId, roleId: '1' }); } catch (e) {} await ctx.messages.send({ channelId: event.channelId, content: 'after-promote' }); },
    peek() { return process.env; },
  },
};`,
);
fs.mkdirSync(path.join(dir, 'broken'));
fs.writeFileSync(path.join(dir, 'broken', 'manifest.json'), '{"id": "Bad Id!"}');

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { PLUGINS_DIR: dir, PLUGINS_CPU_MS: '100' } });
});
after(async () => {
  await t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Capabilities over reef's own services (what the workflows' host does), recording every call. */
function testCaps(space: TestSpace, calls: string[]): Capabilities {
  const kv = new Map<string, string>();
  const { spaces } = t.reef.services;
  const db = t.reef.engine.db.db;
  const fail = async (): Promise<never> => {
    throw Object.assign(new Error('not in this test'), { code: 'NOT_GRANTED' });
  };
  return {
    spaceId: space.id,
    async sendMessage({ channelId, content }) {
      calls.push(`send:${content}`);
      const m = await spaces.messages.send(db, space.owner.id, channelId, { content });
      return { messageId: m.id };
    },
    sendAdminMessage: fail,
    addRole: async () => {
      calls.push('addRole');
    },
    removeRole: fail,
    showCard: fail,
    updateCard: fail,
    dismissCard: fail,
    httpRequest: fail,
    sendWebhook: fail,
    kv: {
      get: async (k) => kv.get(k) ?? null,
      set: async (k, v) => {
        kv.set(k, v);
      },
    },
    log: () => {},
  };
}

const enable = (space: TestSpace, plugins: unknown[], token = space.owner.accessToken) =>
  t.api('PUT', `/spaces/${space.id}/plugins`, { token, body: { plugins } });

test('GET /plugins lists the built-in dice and the third-party plugins; a broken one is skipped', async () => {
  const space = await createSpace(t);
  const list = await expectStatus<any[]>(t.api('GET', '/plugins', { token: space.owner.accessToken }), 200);
  const ids = list.map((p) => p.id).sort();
  assert.deepEqual(ids, ['acme.echo', 'acme.rogue', 'reef.dice']);
  const echo = list.find((p) => p.id === 'acme.echo');
  assert.equal(echo.version, '1.2.0');
  assert.equal(echo.builtin, false);
  assert.deepEqual(echo.capabilities, ['messages', 'kv']);
  assert.deepEqual(echo.commands[0].args, [{ name: 'text', type: 'text', description: '', required: true }]);
  assert.equal(list.find((p) => p.id === 'reef.dice').builtin, true);
  assert.ok(t.reef.services.plugins.service.problems.some((p) => p.dir.endsWith('broken')));
  assert.equal((await t.api('GET', '/plugins')).status, 401);
});

test('space admins enable a plugin with a validated config and see what it may do; members may not', async () => {
  const space = await createSpace(t);
  const member = await addMember(t, space);
  assert.equal(
    (await t.api('GET', `/spaces/${space.id}/plugins`, { token: member.accessToken })).status,
    403,
  );
  assert.equal((await enable(space, [{ id: 'acme.echo', enabled: true }], member.accessToken)).status, 403);

  const before = await expectStatus<any[]>(
    t.api('GET', `/spaces/${space.id}/plugins`, { token: space.owner.accessToken }),
    200,
  );
  const echo0 = before.find((p) => p.id === 'acme.echo');
  assert.equal(echo0.enabled, false);
  assert.deepEqual(echo0.config, { prefix: '>>', shout: false });
  assert.deepEqual(echo0.permissions, [
    'Send messages in channels of the space',
    'Store its own key-value data for the space',
  ]);

  const bad = await enable(space, [{ id: 'acme.echo', enabled: true, config: { shout: 'yes', nope: 1 } }]);
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.error.code, 'VALIDATION_ERROR');
  assert.ok(
    bad.body.error.data.issues.some((i: any) => i.path.startsWith('plugins.0.config')),
    bad.text,
  );
  assert.equal((await enable(space, [{ id: 'acme.nothere', enabled: true }])).status, 404);

  const after = await expectStatus<any[]>(
    enable(space, [{ id: 'acme.echo', enabled: true, config: { shout: true } }]),
    200,
  );
  const echo = after.find((p) => p.id === 'acme.echo');
  assert.equal(echo.enabled, true);
  assert.deepEqual(echo.config, { prefix: '>>', shout: true });
  // another space is untouched; its own commands list is empty
  const other = await createSpace(t);
  assert.deepEqual(await t.reef.services.plugins.commands(other.id), []);
  const cmds = await t.reef.services.plugins.commands(space.id);
  assert.deepEqual(
    cmds.map((c) => `${c.pluginId}:${c.name}`),
    ['acme.echo:echo'],
  );
});

test('a third-party command runs in its isolate and posts through the capability API; members see it on their socket', async () => {
  const space = await createSpace(t);
  const member = await addMember(t, space);
  await expectStatus(enable(space, [{ id: 'acme.echo', enabled: true, config: { prefix: 'echo:' } }]), 200);
  const plugins = t.reef.services.plugins;
  const calls: string[] = [];
  const caps = testCaps(space, calls);
  const word = uniq('hello');
  const sock = await SioClient.connect(t, member.accessToken);
  try {
    await sock.call('channel:join', { channelId: space.generalId });
    await barrier(t, `channel:${space.generalId}`, [sock]);
    const cmd = await plugins.findCommand(space.id, 'echo');
    assert.equal(cmd?.pluginId, 'acme.echo');
    const run = (text: string) =>
      plugins.run({
        kind: 'command',
        pluginId: 'acme.echo',
        name: 'echo',
        spaceId: space.id,
        input: { commandName: 'echo', args: { text }, userId: member.id, channelId: space.generalId },
        caps,
      });
    const r = await run(word);
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(r.ok && r.output, { content: `echo: ${word} #1` });
    assert.deepEqual(r.logs, [{ level: 'info', message: 'echoed', data: { n: 1 } }]);
    const msg = await sock.waitFor('message:new', (m: any) => m.content === `echo: ${word} #1`, 15_000);
    assert.equal(msg.channelId, space.generalId);
    const r2 = await run('again');
    assert.deepEqual(r2.ok && r2.output, { content: 'echo: again #2' });
    const history = await expectStatus<any>(
      t.api('GET', `/channels/${space.generalId}/messages`, { token: member.accessToken }),
      200,
    );
    const contents = (Array.isArray(history) ? history : history.messages).map((m: any) => m.content);
    assert.ok(
      contents.includes(`echo: ${word} #1`) && contents.includes('echo: again #2'),
      JSON.stringify(contents),
    );
  } finally {
    await sock.close();
  }
  // not enabled in another space → refused before any code runs
  const other = await createSpace(t);
  const no = await plugins.run({
    kind: 'command',
    pluginId: 'acme.echo',
    name: 'echo',
    spaceId: other.id,
    input: { args: { text: 'x' }, channelId: other.generalId },
    caps: testCaps(other, calls),
  });
  assert.equal(no.ok, false);
  assert.equal(!no.ok && no.error.code, 'NOT_ENABLED');
});

test('a rogue plugin fails its own executions (loop, ungranted role, process) and nothing else', async () => {
  const space = await createSpace(t);
  await expectStatus(
    enable(space, [
      { id: 'acme.rogue', enabled: true },
      { id: 'acme.echo', enabled: true },
    ]),
    200,
  );
  const plugins = t.reef.services.plugins;
  const calls: string[] = [];
  const caps = testCaps(space, calls);
  const rogue = (name: string) =>
    plugins.run({
      kind: 'command',
      pluginId: 'acme.rogue',
      name,
      spaceId: space.id,
      input: { args: {}, userId: space.owner.id, channelId: space.generalId },
      caps,
    });
  const spin = await rogue('spin');
  assert.equal(!spin.ok && spin.error.code, 'CPU_LIMIT');
  const promote = await rogue('promote');
  assert.equal(!promote.ok && promote.error.code, 'NOT_GRANTED');
  // the send before the refused capability happened; nothing after it; no role change
  assert.deepEqual(calls, ['send:before-promote']);
  const peek = await rogue('peek');
  assert.equal(!peek.ok && peek.error.name, 'ForbiddenGlobal');

  const echo = await plugins.run({
    kind: 'command',
    pluginId: 'acme.echo',
    name: 'echo',
    spaceId: space.id,
    input: { args: { text: 'still here' }, channelId: space.generalId },
    caps,
  });
  assert.deepEqual(echo.ok && echo.output, { content: '>> still here #1' });
  const script = await plugins.run({
    kind: 'script',
    spaceId: space.id,
    code: 'return input.a + 1',
    input: { a: 1 },
    caps,
  });
  assert.deepEqual(script.ok && script.output, 2);
  // the server still answers
  await expectStatus(t.api('GET', '/plugins', { token: space.owner.accessToken }), 200);
});

test('the built-in dice plugin: /roll NdS+M posts the roll', async () => {
  const space = await createSpace(t);
  await expectStatus(enable(space, [{ id: 'reef.dice', enabled: true, config: { sides: 20 } }]), 200);
  const calls: string[] = [];
  const r = await t.reef.services.plugins.run({
    kind: 'command',
    pluginId: 'reef.dice',
    name: 'roll',
    spaceId: space.id,
    input: { args: { dice: '3d6+2' }, username: space.owner.username, channelId: space.generalId },
    caps: testCaps(space, calls),
  });
  assert.equal(r.ok, true, JSON.stringify(r));
  const out = (r.ok ? r.output : {}) as { rolls: number[]; total: number; content: string };
  assert.equal(out.rolls.length, 3);
  assert.ok(out.rolls.every((x) => x >= 1 && x <= 6));
  assert.equal(out.total, out.rolls.reduce((a, b) => a + b, 0) + 2);
  assert.deepEqual(calls, [`send:${out.content}`]);
  assert.match(out.content, new RegExp(`@${space.owner.username} rolled 3d6\\+2`));
  const bad = await t.reef.services.plugins.run({
    kind: 'command',
    pluginId: 'reef.dice',
    name: 'roll',
    spaceId: space.id,
    input: { args: { dice: 'lots' }, channelId: space.generalId },
    caps: testCaps(space, calls),
  });
  assert.match(String((bad.ok && (bad.output as { reply: string }).reply) || ''), /Cannot roll/);
});
