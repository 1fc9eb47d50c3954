/**
 * Realtime gateway, single node: auth on both protocols, auto-join, room delivery (exactly once),
 * join checks through the access registry, command acks and errors, typing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { TestContext } from './context.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { SioClient, WsClient, barrier, sleep, useProvider } from './realtime-clients.ts';

let t: TestContext;
/** Test room-access providers, registered through the public registry API. */
const spaces = new Map<string, string[]>(); // userId → space ids
const channelAccess = new Map<string, Set<string>>(); // channelId → user ids allowed
let alice: TestUser;
let bob: TestUser;

before(async () => {
  t = await TestContext.start({ env: { TYPING_THROTTLE_MS: '400' } });
  const rt = t.reef.services.realtime;
  useProvider(t, {
    prefix: 'space',
    roomsOf: async (userId) => (spaces.get(userId) ?? []).map((id) => `space:${id}`),
    canJoin: async (userId, room) => (spaces.get(userId) ?? []).includes(room.slice('space:'.length)),
  });
  useProvider(t, {
    prefix: 'channel',
    canJoin: async (userId, room) => channelAccess.get(room.slice('channel:'.length))?.has(userId) ?? false,
  });
  // No thread rooms in these tests: a kind without a provider.
  rt.access.unregister('thread');
  rt.command('test:echo', v.object({ n: v.number() }), (user, d, { socket }) => ({
    n: d.n * 2,
    userId: user.id,
    protocol: socket.protocol,
  }));
  rt.command('test:boom', v.unknown(), () => {
    throw new Error('secret internals');
  });
  [alice, bob] = await Promise.all([registerUser(t), registerUser(t)]);
});
after(() => t.close());

test('a forged, expired or missing token is refused on both protocols', async () => {
  const forged = alice.accessToken.slice(0, -4) + 'AAAA';
  await assert.rejects(SioClient.connect(t, forged), (err: Error & { data?: any }) => {
    assert.equal(err.data.code, 'UNAUTHORIZED');
    assert.match(err.message, /invalid or expired access token/i);
    return true;
  });
  await assert.rejects(SioClient.connect(t, undefined), (err: Error & { data?: any }) => {
    assert.equal(err.data.code, 'UNAUTHORIZED');
    assert.match(err.message, /missing access token/i);
    return true;
  });
  await assert.rejects(WsClient.connect(t, forged), (err: any) => {
    assert.equal(err.status, 401);
    assert.equal(err.body.error.code, 'UNAUTHORIZED');
    return true;
  });
  await assert.rejects(WsClient.connect(t, undefined), (err: any) => err.status === 401);
  assert.deepEqual(t.reef.services.realtime.stats().connections, { 'socket.io': 0, ws: 0 });
});

test('an event to user:<id> reaches every socket of that user once, on both protocols, and nobody else', async () => {
  const [a1, a2, b1] = await Promise.all([
    SioClient.connect(t, alice.accessToken),
    WsClient.connect(t, alice.accessToken),
    SioClient.connect(t, bob.accessToken),
  ]);
  try {
    const payload = { user: { id: bob.id, username: bob.username } };
    t.reef.engine.rooms.emit(`user:${alice.id}`, 'follow:new_follower', payload);
    await barrier(t, `user:${alice.id}`, [a1, a2]);
    await barrier(t, `user:${bob.id}`, [b1]);
    assert.deepEqual(a1.named('follow:new_follower'), [payload]);
    assert.deepEqual(a2.named('follow:new_follower'), [payload]);
    assert.deepEqual(b1.named('follow:new_follower'), []);
  } finally {
    await Promise.all([a1.close(), a2.close(), b1.close()]);
  }
});

test('on connect a socket is in its space rooms (auto-join from the registry)', async () => {
  const spaceId = String(BigInt(Date.now()) * 1000n + 1n);
  spaces.set(alice.id, [spaceId]);
  const [a, w] = await Promise.all([
    SioClient.connect(t, alice.accessToken),
    WsClient.connect(t, alice.accessToken),
  ]);
  const b = await SioClient.connect(t, bob.accessToken);
  try {
    t.reef.engine.rooms.emit(`space:${spaceId}`, 'space:member_joined', { spaceId, userId: bob.id });
    await barrier(t, `space:${spaceId}`, [a, w]);
    assert.deepEqual(a.named('space:member_joined'), [{ spaceId, userId: bob.id }]);
    assert.deepEqual(w.named('space:member_joined'), [{ spaceId, userId: bob.id }]);
    assert.equal(b.named('space:member_joined').length, 0);
  } finally {
    spaces.delete(alice.id);
    await Promise.all([a.close(), w.close(), b.close()]);
  }
});

test('channel:join asks the registry: allowed joins get the channel events, refused ones a FORBIDDEN ack', async () => {
  const channelId = '9000000000000001';
  channelAccess.set(channelId, new Set([alice.id]));
  const [a, w, b] = await Promise.all([
    SioClient.connect(t, alice.accessToken),
    WsClient.connect(t, alice.accessToken),
    SioClient.connect(t, bob.accessToken),
  ]);
  try {
    assert.deepEqual(await a.call('channel:join', { channelId }), {
      ok: true,
      data: { room: `channel:${channelId}` },
    });
    assert.deepEqual(await w.call('channel:join', { channelId }), {
      ok: true,
      data: { room: `channel:${channelId}` },
    });
    const refused = await b.call('channel:join', { channelId });
    assert.equal(refused.ok, false);
    assert.equal(refused.error!.code, 'FORBIDDEN');
    // A room kind nobody registered is refused too.
    const thread = await a.call('thread:join', { threadId: '42' });
    assert.equal(thread.error!.code, 'FORBIDDEN');

    const msg = { id: '1', channelId, content: 'hi' };
    t.reef.engine.rooms.emit(`channel:${channelId}`, 'message:new', msg);
    await barrier(t, `channel:${channelId}`, [a, w]);
    assert.deepEqual(a.named('message:new'), [msg]);
    assert.deepEqual(w.named('message:new'), [msg]);
    assert.deepEqual(b.named('message:new'), []);

    // After leaving, nothing more arrives.
    assert.equal((await a.call('channel:leave', { channelId })).ok, true);
    t.reef.engine.rooms.emit(`channel:${channelId}`, 'message:new', { ...msg, id: '2' });
    await barrier(t, `channel:${channelId}`, [w]);
    await sleep(30);
    assert.equal(a.named('message:new').length, 1);
    assert.equal(w.named('message:new').length, 2);
  } finally {
    await Promise.all([a.close(), w.close(), b.close()]);
  }
});

test('commands are validated and acked with { ok, data } / { ok: false, error } on both protocols', async () => {
  const [a, w] = await Promise.all([
    SioClient.connect(t, alice.accessToken),
    WsClient.connect(t, alice.accessToken),
  ]);
  try {
    assert.deepEqual(await a.call('test:echo', { n: 21 }), {
      ok: true,
      data: { n: 42, userId: alice.id, protocol: 'socket.io' },
    });
    assert.deepEqual(await w.call('test:echo', { n: 2 }), {
      ok: true,
      data: { n: 4, userId: alice.id, protocol: 'ws' },
    });

    const invalid = await w.call('test:echo', { n: 'x' });
    assert.equal(invalid.ok, false);
    assert.equal(invalid.error!.code, 'VALIDATION_ERROR');
    assert.equal(invalid.error!.data.issues[0].path, 'n');
    const badId = await a.call('channel:join', { channelId: 'abc' });
    assert.equal(badId.error!.code, 'VALIDATION_ERROR');

    // Events no feature registered (a spec event whose feature is absent looks the same): a clear error.
    for (const c of [a, w]) {
      const r = await c.call('call:teleport', { callId: '1' });
      assert.equal(r.ok, false);
      assert.equal(r.error!.code, 'UNKNOWN_EVENT');
      assert.match(r.error!.message, /call:teleport/);
    }
    const boom = await a.call('test:boom', {});
    assert.deepEqual(boom, { ok: false, error: { code: 'INTERNAL', message: 'Internal server error' } });
  } finally {
    await Promise.all([a.close(), w.close()]);
  }
});

test('the native protocol answers bad frames with an error and keeps the socket', async () => {
  const w = await WsClient.connect(t, alice.accessToken);
  try {
    w.send('not json');
    const e1 = await w.waitFor('error');
    assert.equal(e1.error.code, 'BAD_REQUEST');
    assert.match(e1.error.message, /not valid JSON/);
    w.send(JSON.stringify({ d: {}, id: 7 }));
    w.send(Buffer.from([1, 2, 3]));
    await w.waitFor('error', (d) => /Binary/.test(d.error.message));
    // A frame without an id that fails is reported as an `error` event naming the event.
    w.send(JSON.stringify({ t: 'nope:nope' }));
    const e3 = await w.waitFor('error', (d) => d.event === 'nope:nope');
    assert.equal(e3.error.code, 'UNKNOWN_EVENT');
    // Still alive and serving.
    assert.deepEqual((await w.call('test:echo', { n: 1 })).data.n, 2);
    assert.equal(w.closed, null);
  } finally {
    await w.close();
  }
});

test('typing goes to the channel except the typist, throttled per user and channel', async () => {
  const channelId = '9000000000000002';
  channelAccess.set(channelId, new Set([alice.id, bob.id]));
  const [a, a2, b] = await Promise.all([
    SioClient.connect(t, alice.accessToken),
    WsClient.connect(t, alice.accessToken),
    WsClient.connect(t, bob.accessToken),
  ]);
  try {
    for (const c of [a, a2, b]) assert.equal((await c.call('channel:join', { channelId })).ok, true);
    assert.deepEqual(await a.call('message:typing', { channelId }), { ok: true, data: { sent: true } });
    assert.deepEqual(await a.call('message:typing', { channelId }), { ok: true, data: { sent: false } });
    await barrier(t, `channel:${channelId}`, [a, a2, b]);
    assert.deepEqual(b.named('member:typing'), [{ channelId, userId: alice.id, username: alice.username }]);
    // Neither of the typist's own sockets hears it.
    assert.deepEqual(a.named('member:typing'), []);
    assert.deepEqual(a2.named('member:typing'), []);

    await sleep(450); // past TYPING_THROTTLE_MS
    assert.deepEqual(await a2.call('message:typing', { channelId }), { ok: true, data: { sent: true } });
    await barrier(t, `channel:${channelId}`, [b]);
    assert.equal(b.named('member:typing').length, 2);

    // Typing where one may not be is refused.
    const other = await b.call('message:typing', { channelId: '9000000000000003' });
    assert.equal(other.error!.code, 'FORBIDDEN');
  } finally {
    await Promise.all([a.close(), a2.close(), b.close()]);
  }
});

test('Socket.io over long-polling receives room events, and keeps receiving after upgrading', async () => {
  const polling = await SioClient.connect(t, alice.accessToken, { transports: ['polling'] });
  const upgrading = await SioClient.connect(t, alice.accessToken, { transports: ['polling', 'websocket'] });
  try {
    t.reef.engine.rooms.emit(`user:${alice.id}`, 'notification:new', { id: 'n1' });
    await barrier(t, `user:${alice.id}`, [polling, upgrading]);
    if (upgrading.socket.io.engine.transport.name !== 'websocket')
      await new Promise((r) => upgrading.socket.io.engine.once('upgrade', r));
    t.reef.engine.rooms.emit(`user:${alice.id}`, 'notification:new', { id: 'n2' });
    await barrier(t, `user:${alice.id}`, [polling, upgrading]);
    assert.deepEqual(polling.named('notification:new'), [{ id: 'n1' }, { id: 'n2' }]);
    assert.deepEqual(upgrading.named('notification:new'), [{ id: 'n1' }, { id: 'n2' }]);
    assert.equal(upgrading.socket.io.engine.transport.name, 'websocket');
    assert.deepEqual((await polling.call('test:echo', { n: 5 })).data.n, 10);
  } finally {
    await Promise.all([polling.close(), upgrading.close()]);
  }
});
