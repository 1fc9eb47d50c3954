/**
 * Gateway protection: slow consumers are cut off while others keep receiving, per-connection frame
 * rate limit, max payload, per-user socket cap.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import { TestContext } from './context.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { SioClient, WsClient, openSockets, until, useProvider } from './realtime-clients.ts';

let t: TestContext;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;
const channelId = '9200000000000001';

before(async () => {
  t = await TestContext.start({
    env: {
      WS_MAX_BACKPRESSURE_BYTES: String(64 * 1024),
      WS_RATE_LIMIT: '20/2',
      WS_MAX_PAYLOAD_BYTES: '4096',
      WS_MAX_SOCKETS_PER_USER: '3',
    },
  });
  useProvider(t, { prefix: 'channel', canJoin: async () => true });
  [alice, bob, carol] = await Promise.all([registerUser(t), registerUser(t), registerUser(t)]);
});
after(() => t.close());

/** Stop reading from the TCP socket under a ws client, so the server's send buffer fills up. */
function stopReading(ws: WebSocket): void {
  (ws as unknown as { _socket: Socket })._socket.pause();
}

test('a slow consumer is disconnected when its send buffer passes the limit; the others get everything', async () => {
  const room = `channel:${channelId}`;
  const slowWs = await WsClient.connect(t, alice.accessToken);
  const slowSio = await SioClient.connect(t, alice.accessToken);
  const fastWs = await WsClient.connect(t, bob.accessToken);
  const fastSio = await SioClient.connect(t, bob.accessToken);
  try {
    for (const c of [slowWs, slowSio, fastWs, fastSio])
      assert.equal((await c.call('channel:join', { channelId })).ok, true);
    stopReading(slowWs.ws);
    stopReading((slowSio.socket.io.engine.transport as unknown as { ws: WebSocket }).ws);
    // 1. Push ~10 MB, twice what the kernel buffers of a paused loopback socket held here, in bursts paced
    //    by the healthy clients (as a network with healthy consumers would).
    const blob = 'x'.repeat(32 * 1024);
    const total = 300;
    for (let i = 0; i < total; i++) {
      t.reef.engine.rooms.emit(room, 'message:new', { i, blob });
      if (i % 20 === 19)
        await until(() => fastWs.named('message:new').length > i && fastSio.named('message:new').length > i);
    }
    // 2. The server cut the two slow sockets (it counts only the two fast ones now).
    await until(() => openSockets(t) === 2, 15_000, 'slow consumers cut off');
    // 3. The fast ones received every event, in order, once.
    await until(
      () => fastWs.named('message:new').length >= total && fastSio.named('message:new').length >= total,
      15_000,
    );
    for (const c of [fastWs, fastSio]) {
      const seen = c.named('message:new').map((d) => d.i);
      assert.deepEqual(
        seen,
        Array.from({ length: total }, (_, i) => i),
      );
    }
    assert.equal(fastWs.closed, null);
    assert.equal(fastSio.socket.connected, true);
  } finally {
    await Promise.all([slowWs, slowSio, fastWs, fastSio].map((c) => c.close()));
    await until(() => openSockets(t) === 0);
  }
});

test('frames over the per-connection rate are refused with RATE_LIMITED; a flood is disconnected', async () => {
  const w = await WsClient.connect(t, carol.accessToken);
  const s = await SioClient.connect(t, carol.accessToken);
  try {
    for (const c of [w, s]) {
      const acks = await Promise.all(Array.from({ length: 25 }, () => c.call('presence:heartbeat')));
      const limited = acks.filter((a) => !a.ok);
      assert.equal(acks.filter((a) => a.ok).length, 20, 'the budget of 20 frames is served');
      assert.equal(limited.length, 5);
      assert.equal(limited[0]!.error!.code, 'RATE_LIMITED');
      assert.ok(limited[0]!.error!.data.retryAfter >= 1);
    }
    // A client that keeps hammering far past its budget is cut off.
    for (let i = 0; i < 60; i++) w.send(JSON.stringify({ t: 'presence:heartbeat' }));
    const closed = await w.waitClosed();
    assert.equal(closed.code, 1008);
    assert.equal(s.socket.connected, true, 'the other connection of the same user is not affected');
  } finally {
    await Promise.all([w.close(), s.close()]);
    await until(() => openSockets(t) === 0);
  }
});

test('a frame over WS_MAX_PAYLOAD_BYTES closes the socket (both protocols); the server keeps serving', async () => {
  const w = await WsClient.connect(t, alice.accessToken);
  const s = await SioClient.connect(t, alice.accessToken);
  try {
    w.send(JSON.stringify({ t: 'presence:heartbeat', d: 'x'.repeat(8000) }));
    const closed = await w.waitClosed();
    assert.equal(closed.code, 1006);
    const disconnected = new Promise<string>((r) => s.socket.once('disconnect', (reason) => r(reason)));
    s.socket.emit('presence:heartbeat', 'x'.repeat(8000));
    assert.equal(await disconnected, 'transport close');
    await until(() => openSockets(t) === 0);
    const again = await WsClient.connect(t, alice.accessToken);
    assert.equal((await again.call('presence:heartbeat')).ok, true);
    await again.close();
  } finally {
    await Promise.all([w.close(), s.close()]);
    await until(() => openSockets(t) === 0);
  }
});

test('a user may hold at most WS_MAX_SOCKETS_PER_USER sockets, counted across protocols', async () => {
  const open = [
    await WsClient.connect(t, bob.accessToken),
    await SioClient.connect(t, bob.accessToken),
    await WsClient.connect(t, bob.accessToken),
  ];
  try {
    await assert.rejects(WsClient.connect(t, bob.accessToken), (err: any) => {
      assert.equal(err.status, 429);
      assert.equal(err.body.error.code, 'TOO_MANY_SOCKETS');
      return true;
    });
    await assert.rejects(SioClient.connect(t, bob.accessToken), (err: any) => {
      assert.equal(err.data.code, 'TOO_MANY_SOCKETS');
      return true;
    });
    // Refused sockets did not count: after one closes, one more fits, and presence stayed online.
    await open.pop()!.close();
    await until(() => openSockets(t) === 2);
    open.push(await SioClient.connect(t, bob.accessToken));
    assert.equal(await t.reef.services.realtime.presence.get(bob.id), 'online');
  } finally {
    await Promise.all(open.map((c) => c.close()));
    await until(() => openSockets(t) === 0);
  }
  // The last close writes presence asynchronously (a Redis round trip in services mode).
  await until(async () => (await t.reef.services.realtime.presence.get(bob.id)) === 'offline');
});
