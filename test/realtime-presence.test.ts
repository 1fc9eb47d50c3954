/**
 * Presence over sockets: online on the first socket, status changes, offline only when the last
 * socket closes or the TTL lapses without heartbeat; member:presence goes to the user's space rooms.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from './context.ts';
import { registerUser, type TestUser } from './helpers/users.ts';
import { SioClient, WsClient, barrier, openSockets, sleep, until, useProvider } from './realtime-clients.ts';

const TTL_MS = 700;
let t: TestContext;
/** A second reef whose presence lapses quickly. */
let fast: TestContext;
const spaceId = '9100000000000001';
const members = new Set<string>();

function registerSpace(ctx: TestContext): void {
  useProvider(ctx, {
    prefix: 'space',
    roomsOf: async (userId) => (members.has(userId) ? [`space:${spaceId}`] : []),
    canJoin: async (userId) => members.has(userId),
  });
}

let alice: TestUser;
let bob: TestUser;
/** The same two people on the fast reef (its own database). */
let aliceF: TestUser;
let bobF: TestUser;
before(async () => {
  [t, fast] = await Promise.all([
    TestContext.start(),
    TestContext.start({ env: { PRESENCE_TTL_MS: String(TTL_MS) } }),
  ]);
  registerSpace(t);
  registerSpace(fast);
  [alice, bob, aliceF, bobF] = await Promise.all([
    registerUser(t),
    registerUser(t),
    registerUser(fast),
    registerUser(fast),
  ]);
  for (const u of [alice, bob, aliceF, bobF]) members.add(u.id);
});
after(() => Promise.all([t.close(), fast.close()]));

const presenceOf = (events: any[], userId: string) =>
  events.filter((e) => e.userId === userId).map((e) => e.status as string);

test('online with the first tab, offline only when the last tab closes, across both protocols', async () => {
  const room = `space:${spaceId}`;
  const watcher = await WsClient.connect(t, bob.accessToken);
  // 1. First tab: one online.
  const tab1 = await SioClient.connect(t, alice.accessToken);
  await barrier(t, room, [watcher]);
  assert.deepEqual(presenceOf(watcher.named('member:presence'), alice.id), ['online']);
  assert.equal(await t.reef.services.realtime.presence.get(alice.id), 'online');
  // 2. Second tab (other protocol): nothing new.
  const tab2 = await WsClient.connect(t, alice.accessToken);
  await barrier(t, room, [watcher]);
  assert.deepEqual(presenceOf(watcher.named('member:presence'), alice.id), ['online']);
  // 3. Status change is announced once, and an unchanged one is not.
  assert.deepEqual(await tab2.call('presence:status', { status: 'dnd' }), {
    ok: true,
    data: { status: 'dnd' },
  });
  assert.equal((await tab1.call('presence:status', { status: 'dnd' })).ok, true);
  assert.equal((await tab1.call('presence:heartbeat')).ok, true);
  await barrier(t, room, [watcher]);
  assert.deepEqual(presenceOf(watcher.named('member:presence'), alice.id), ['online', 'dnd']);
  const bad = await tab1.call('presence:status', { status: 'away' });
  assert.equal(bad.error!.code, 'VALIDATION_ERROR');
  // 4. Closing one tab keeps alice present.
  await tab1.close();
  await until(() => openSockets(t) === 2, 5000, 'tab1 released');
  await barrier(t, room, [watcher]);
  assert.deepEqual(presenceOf(watcher.named('member:presence'), alice.id), ['online', 'dnd']);
  assert.equal(await t.reef.services.realtime.presence.get(alice.id), 'dnd');
  // 5. Closing the last one: offline, once.
  await tab2.close();
  await watcher.waitFor('member:presence', (d) => d.userId === alice.id && d.status === 'offline');
  await barrier(t, room, [watcher]);
  assert.deepEqual(presenceOf(watcher.named('member:presence'), alice.id), ['online', 'dnd', 'offline']);
  assert.equal(await t.reef.services.realtime.presence.get(alice.id), 'offline');
  // 6. Coming back starts from online again (the chosen status ended with the last socket).
  const tab3 = await SioClient.connect(t, alice.accessToken);
  await until(() => presenceOf(watcher.named('member:presence'), alice.id).length === 4);
  assert.deepEqual(presenceOf(watcher.named('member:presence'), alice.id), [
    'online',
    'dnd',
    'offline',
    'online',
  ]);
  assert.equal(await t.reef.services.realtime.presence.get(alice.id), 'online');
  await tab3.close();
  await until(async () => (await t.reef.services.realtime.presence.get(alice.id)) === 'offline');
  await watcher.close();
  await until(() => openSockets(t) === 0);
});

test('"offline" status is invisible: announced as offline while connected', async () => {
  const room = `space:${spaceId}`;
  const watcher = await SioClient.connect(t, bob.accessToken);
  const tab = await WsClient.connect(t, alice.accessToken);
  await watcher.waitFor('member:presence', (d) => d.userId === alice.id && d.status === 'online');
  assert.equal((await tab.call('presence:status', { status: 'offline' })).ok, true);
  await watcher.waitFor('member:presence', (d) => d.userId === alice.id && d.status === 'offline');
  assert.equal(await t.reef.services.realtime.presence.get(alice.id), 'offline');
  // Closing while invisible announces nothing more.
  await tab.close();
  await until(() => openSockets(t) === 1, 5000, 'tab released');
  await barrier(t, room, [watcher]);
  assert.deepEqual(presenceOf(watcher.named('member:presence'), alice.id), ['online', 'offline']);
  await watcher.close();
  await until(() => openSockets(t) === 0);
});

test('presence lapses to offline without heartbeat, once, and a heartbeat brings it back', async () => {
  const room = `space:${spaceId}`;
  const watcher = await WsClient.connect(fast, bobF.accessToken);
  // Keep the watcher's own presence alive; only alice stops heartbeating.
  const beat = setInterval(() => void watcher.call('presence:heartbeat').catch(() => undefined), TTL_MS / 4);
  try {
    const tab = await SioClient.connect(fast, aliceF.accessToken);
    await watcher.waitFor('member:presence', (d) => d.userId === aliceF.id && d.status === 'online');
    await watcher.waitFor(
      'member:presence',
      (d) => d.userId === aliceF.id && d.status === 'offline',
      4 * TTL_MS + 2000,
    );
    // Several sweeps later, still one offline.
    await sleep(TTL_MS);
    await barrier(fast, room, [watcher]);
    assert.deepEqual(presenceOf(watcher.named('member:presence'), aliceF.id), ['online', 'offline']);
    assert.equal(await fast.reef.services.realtime.presence.get(aliceF.id), 'offline');
    // A heartbeat: online again.
    assert.equal((await tab.call('presence:heartbeat')).ok, true);
    await barrier(fast, room, [watcher]);
    assert.deepEqual(presenceOf(watcher.named('member:presence'), aliceF.id), [
      'online',
      'offline',
      'online',
    ]);
    await tab.close();
  } finally {
    clearInterval(beat);
    await watcher.close();
  }
});
