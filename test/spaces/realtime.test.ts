import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { registerUser } from '../helpers/users.ts';
import { SioClient, WsClient, barrier } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus, send } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { TYPING_THROTTLE_MS: '0', ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('message events reach another member: new, updated, reactions_updated, deleted, channel:activity', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const sock = await SioClient.connect(t, bob.accessToken);
  try {
    const join = await sock.call('channel:join', { channelId: space.generalId });
    assert.equal(join.ok, true);
    const m = await send(t, space.owner, space.generalId, 'hello bob');
    const got = await sock.waitFor('message:new', (d) => d.id === m.id);
    assert.deepEqual(got, m, 'the socket event is the message the sender got back');
    assert.equal(got.author.username, space.owner.username);
    const act = await sock.waitFor('channel:activity', (d) => d.messageId === m.id);
    assert.deepEqual(act, {
      channelId: space.generalId,
      authorId: space.owner.id,
      messageId: m.id,
      spaceId: space.id,
    });
    await expectStatus(
      t.api('PATCH', `/channels/${space.generalId}/messages/${m.id}`, {
        token: space.owner.accessToken,
        body: { content: 'edited' },
      }),
      200,
    );
    const upd = await sock.waitFor('message:updated', (d) => d.id === m.id);
    assert.equal(upd.content, 'edited');
    assert.ok(upd.editedAt);
    await expectStatus(
      t.api('PUT', `/channels/${space.generalId}/messages/${m.id}/reactions/${encodeURIComponent('👍')}`, {
        token: space.owner.accessToken,
      }),
      200,
    );
    const re = await sock.waitFor('message:reactions_updated', (d) => d.messageId === m.id);
    assert.deepEqual(re, {
      channelId: space.generalId,
      messageId: m.id,
      reactions: [{ emoji: '👍', count: 1, userIds: [space.owner.id] }],
    });
    await expectStatus(
      t.api('DELETE', `/channels/${space.generalId}/messages/${m.id}`, { token: space.owner.accessToken }),
      204,
    );
    assert.deepEqual(await sock.waitFor('message:deleted'), { channelId: space.generalId, messageId: m.id });
  } finally {
    await sock.close();
  }
});

test('message:send over both socket protocols is acked with the stored message; typing reaches others', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const sio = await SioClient.connect(t, space.owner.accessToken);
  const ws = await WsClient.connect(t, bob.accessToken);
  try {
    await sio.call('channel:join', { channelId: space.generalId });
    await ws.call('channel:join', { channelId: space.generalId });
    const ack = await ws.call('message:send', { channelId: space.generalId, content: 'from ws' });
    assert.equal(ack.ok, true, JSON.stringify(ack));
    assert.equal(ack.data.content, 'from ws');
    const seen = await sio.waitFor('message:new', (d) => d.id === ack.data.id);
    assert.equal(seen.authorId, bob.id);
    const list = await expectStatus(
      t.api('GET', `/channels/${space.generalId}/messages`, { token: space.owner.accessToken }),
      200,
    );
    assert.equal(list[0].id, ack.data.id, 'acked means listed');
    const typing = await sio.call('message:typing', { channelId: space.generalId });
    assert.equal(typing.ok, true);
    assert.deepEqual(await ws.waitFor('member:typing'), {
      channelId: space.generalId,
      userId: space.owner.id,
      username: space.owner.username,
    });
    await barrier(t, `channel:${space.generalId}`, [sio]);
    assert.equal(sio.named('member:typing').length, 0, 'the typist does not get their own typing');
    const stranger = await registerUser(t);
    const ss = await SioClient.connect(t, stranger.accessToken);
    try {
      const denied = await ss.call('message:send', { channelId: space.generalId, content: 'x' });
      assert.equal(denied.ok, false);
      assert.equal(denied.error?.code, 'FORBIDDEN');
      assert.equal((await ss.call('channel:join', { channelId: space.generalId })).ok, false);
    } finally {
      await ss.close();
    }
  } finally {
    await sio.close();
    await ws.close();
  }
});

test('space:member_joined / member_left reach the space room; a kicked member leaves the rooms', async () => {
  const space = await createSpace(t);
  const owner = await SioClient.connect(t, space.owner.accessToken);
  try {
    const carol = await registerUser(t);
    const carolSock = await SioClient.connect(t, carol.accessToken);
    try {
      await addMember(t, space, carol);
      assert.deepEqual(await owner.waitFor('space:member_joined', (d) => d.userId === carol.id), {
        spaceId: space.id,
        userId: carol.id,
      });
      // Carol's already-open socket was moved into the space room: she hears the space.
      const dave = await addMember(t, space);
      await carolSock.waitFor('space:member_joined', (d) => d.userId === dave.id);
      await expectStatus(
        t.api('DELETE', `/spaces/${space.id}/members/${carol.id}`, { token: space.owner.accessToken }),
        204,
      );
      const left = await owner.waitFor('space:member_left', (d) => d.userId === carol.id);
      assert.equal(left.spaceId, space.id);
      await send(t, space.owner, space.generalId, 'after the kick');
      await barrier(t, `space:${space.id}`, [owner]);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(
        carolSock.named('channel:activity').length,
        0,
        'a kicked member no longer hears the space',
      );
      const after = await expectStatus(
        t.api('GET', `/spaces/${space.id}/members`, { token: space.owner.accessToken }),
        200,
      );
      assert.ok(!after.some((m: any) => m.userId === carol.id));
    } finally {
      await carolSock.close();
    }
  } finally {
    await owner.close();
  }
});
