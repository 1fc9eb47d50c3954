import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createActor, initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { DEFAULT_ROLE_PERMISSIONS, Permission } from './permissions.ts';
import type { SpaceContext, SpaceEvent, SpaceInit } from './space.events.ts';
import { spaceMachine } from './space.machine.ts';

type Cmd = SpaceEvent extends infer E ? (E extends unknown ? Omit<E, 'at'> : never) : never;

function start(): AnyMachineSnapshot {
  return initialTransition(spaceMachine, { id: 's1' })[0];
}
function step(snap: AnyMachineSnapshot, ev: Cmd, at = 1000) {
  const [next, actions] = transition(spaceMachine, snap, { ...ev, at } as SpaceEvent);
  const emitted = (actions as Array<{ type: string; params?: unknown }>)
    .filter((a) => a.type === 'xstate.emit')
    .map((a) => (a.params as { event: { type: string } & Record<string, any> }).event);
  const reply = emitted.find((e) => e.type === 'reply');
  return {
    snap: next,
    ctx: next.context as SpaceContext,
    effects: emitted.filter((e) => e.type !== 'reply'),
    reply,
  };
}
const init: SpaceInit = {
  id: 's1',
  ownerId: 'owner',
  isPublic: false,
  defaultRoleId: 'r0',
  adminChannelId: 'adm',
  roles: { r0: { p: DEFAULT_ROLE_PERMISSIONS.toString(), pos: 0 } },
  members: { owner: [] },
  bans: {},
  invites: { abc: { id: 'i1', max: 2, uses: 0, exp: 5000 } },
  channels: {
    gen: { t: 'text', priv: false, adm: false, ov: {}, mem: [], portals: [] },
    adm: { t: 'text', priv: true, adm: true, ov: {}, mem: [], portals: [] },
  },
  locked: {},
};
const ready = () => step(start(), { type: 'space.init', state: init }).snap;

test('an actor that was never given its state refuses everything but space.init (hydration)', () => {
  const r = step(start(), { type: 'member.join', userId: 'u1', via: 'public' });
  assert.equal(r.reply?.error?.code, 'SPACE_NOT_LOADED');
});

test('invite uses and expiry: max uses counted one event at a time, expired refused, bans refused', () => {
  let s = ready();
  for (const u of ['a', 'b']) {
    const r = step(s, {
      type: 'member.join',
      userId: u,
      via: 'invite',
      code: 'abc',
      ticket: 't',
      origin: 'n',
    });
    assert.deepEqual(r.reply?.data, { data: { joined: true }, wait: true });
    assert.deepEqual(
      r.effects.map((e) => e.type),
      ['invite.used', 'member.added', 'trigger', 'ack'],
    );
    s = r.snap;
  }
  assert.equal(
    step(s, { type: 'member.join', userId: 'c', via: 'invite', code: 'abc' }).reply?.error?.code,
    'INVITE_INVALID',
  );
  const fresh = ready();
  assert.equal(
    step(fresh, { type: 'member.join', userId: 'c', via: 'invite', code: 'abc' }, 5000).reply?.error?.code,
    'INVITE_INVALID',
  );
  const banned = step(fresh, {
    type: 'member.ban',
    by: 'owner',
    userId: 'c',
    reason: null,
    messageId: '10',
    content: 'x',
  });
  assert.equal(banned.reply?.data.data.success, true);
  assert.equal(
    step(banned.snap, { type: 'member.join', userId: 'c', via: 'invite', code: 'abc' }).reply?.error?.status,
    403,
  );
});

test('ban: removes the member, posts a system message to the admin channel; owner 403, twice 409', () => {
  let s = step(ready(), { type: 'member.join', userId: 'u', via: 'invite', code: 'abc' }).snap;
  const r = step(s, {
    type: 'member.ban',
    by: 'owner',
    userId: 'u',
    reason: 'spam',
    messageId: '20',
    content: '@u was banned',
  });
  assert.equal(r.ctx.members['u'], undefined);
  assert.equal(r.ctx.bans['u'], true);
  const write = r.effects.find((e) => e.type === 'messages.write')!;
  assert.equal(write.items[0].message.channelId, 'adm');
  assert.equal(write.items[0].message.type, 'system');
  assert.deepEqual(
    write.items[0].audience,
    ['owner'],
    'only those who can see the admin channel get its activity',
  );
  s = r.snap;
  assert.equal(
    step(s, { type: 'member.ban', by: 'owner', userId: 'u', reason: null, messageId: '21', content: '' })
      .reply?.error?.status,
    409,
  );
  assert.equal(
    step(s, { type: 'member.ban', by: 'owner', userId: 'owner', reason: null, messageId: '22', content: '' })
      .reply?.error?.status,
    403,
  );
});

test('messages: a batch is checked item by item, ids strictly increasing, one write, no message in the context', () => {
  let s = step(ready(), { type: 'member.join', userId: 'u', via: 'invite', code: 'abc' }).snap;
  const item = (id: string, channelId = 'gen') => ({
    by: 'u',
    message: {
      id,
      channelId,
      authorId: 'u',
      author: null,
      content: 'hi @x',
      replyToId: null,
      replyTo: null,
      threadId: null,
      attachments: [],
      mentions: ['owner', 'stranger'],
    },
  });
  const send = (...items: ReturnType<typeof item>[]) => ({
    type: 'messages.send' as const,
    items,
    ticket: 't',
    origin: 'n',
  });
  const ok = step(s, send(item('100'), item('101', 'adm'), item('102')));
  assert.deepEqual(ok.reply?.data.data, [
    { ok: true, id: '100', createdAt: 1000 },
    { ok: false, error: { code: 'FORBIDDEN', status: 403, message: 'Requires VIEW_CHANNELS' } },
    { ok: true, id: '102', createdAt: 1000 },
  ]);
  assert.equal(ok.reply?.data.wait, true, 'the caller waits for the write');
  assert.equal(ok.effects.length, 1);
  const w = ok.effects[0]!;
  assert.equal(w.type, 'messages.insert', 'written inline by the commit that accepts them');
  assert.deepEqual(
    w.items.map((i: any) => i.message.id),
    ['100', '102'],
  );
  assert.deepEqual(w.items[0].message.mentions, ['owner'], 'only members are mentioned');
  assert.equal(w.items[0].audience, null);
  assert.equal(ok.ctx.lastMessageId, '102');
  assert.ok(!JSON.stringify(ok.ctx).includes('hi @x'));
  s = ok.snap;
  assert.equal(
    step(s, send(item('99'), item('103'))).reply?.error?.code,
    'MESSAGE_ID_STALE',
    'a stale batch is refused whole',
  );
  // Deny SEND_MESSAGES to the default role on #gen.
  s = step(s, {
    type: 'override.set',
    by: 'owner',
    channelId: 'gen',
    roleId: 'r0',
    allow: '0',
    deny: Permission.SEND_MESSAGES.toString(),
  }).snap;
  const denied = step(s, send(item('104')));
  assert.equal(denied.reply?.data.data[0].error.message, 'Requires SEND_MESSAGES');
  assert.equal(denied.effects.length, 0);
  assert.equal(denied.ctx.lastMessageId, '102');
});

test('roles: MANAGE_ROLES required, no escalation beyond own bits, default role not deletable', () => {
  let s = step(ready(), { type: 'member.join', userId: 'u', via: 'invite', code: 'abc' }).snap;
  assert.equal(
    step(s, {
      type: 'role.create',
      by: 'u',
      roleId: 'r1',
      row: { name: 'x', color: null, position: 1 },
      permissions: '0',
    }).reply?.error?.status,
    403,
  );
  s = step(s, {
    type: 'role.create',
    by: 'owner',
    roleId: 'r1',
    row: { name: 'roles', color: null, position: 1 },
    permissions: String(Permission.MANAGE_ROLES),
  }).snap;
  s = step(s, { type: 'member.roles', by: 'owner', userId: 'u', roleIds: ['r1'] }).snap;
  const esc = step(s, {
    type: 'role.create',
    by: 'u',
    roleId: 'r2',
    row: { name: 'x', color: null, position: 2 },
    permissions: String(Permission.MANAGE_SPACE),
  });
  assert.equal(esc.reply?.error?.message, 'You cannot grant permissions you do not have');
  assert.equal(step(s, { type: 'role.delete', by: 'owner', roleId: 'r0' }).reply?.error?.status, 400);
  const del = step(s, { type: 'role.delete', by: 'owner', roleId: 'r1' });
  assert.deepEqual(del.ctx.members['u'], []);
});

test('a persisted snapshot restores (JSON round trip) and keeps deciding the same way', () => {
  const s = step(ready(), { type: 'member.join', userId: 'u', via: 'invite', code: 'abc' }).snap;
  const restored = createActor(spaceMachine, {
    input: { id: 's1' },
    snapshot: JSON.parse(JSON.stringify(spaceMachine.getPersistedSnapshot(s))),
  }).getSnapshot();
  assert.equal(
    step(restored, { type: 'member.join', userId: 'v', via: 'invite', code: 'abc' }).reply?.data.data.joined,
    true,
  );
  assert.equal(
    step(restored, { type: 'member.join', userId: 'u', via: 'invite', code: 'abc' }).reply?.data.data.joined,
    false,
  );
});
