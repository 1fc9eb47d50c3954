/**
 * Voice channel calls (spec "POST /calls/channels/:channelId/join|leave", "GET .../call"): active at
 * once, no ringing, anyone allowed in joins, the call ends when empty. The channel, its space and the
 * VIEW_CHANNELS check come from the spaces feature through `services.voiceChannels`; this file
 * injects a directory of its own there, as the composition root lets any feature do.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from './context.ts';
import { registerUsers, type TestUser } from './helpers/users.ts';
import { SioClient, until } from './realtime-clients.ts';
import type { VoiceChannel, VoiceChannelDirectory } from '../domain/calls/index.ts';

let t: TestContext;
const sockets: SioClient[] = [];
/** channelId → channel, and who may view it. */
const channels = new Map<string, VoiceChannel & { viewers: Set<string> }>();
const directory: VoiceChannelDirectory = {
  channel: async (id) => channels.get(id) ?? null,
  canView: async (userId, ch) => channels.get(ch.id)?.viewers.has(userId) ?? false,
};

before(async () => {
  t = await TestContext.start();
  t.reef.services.voiceChannels = directory;
});
after(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await t.close();
});

// Unique per run: in services mode the database outlives the run, and rows from earlier runs stay.
let seq = Date.now() * 1000;
function channel(type: string, viewers: TestUser[]): VoiceChannel {
  const ch = { id: String(++seq), spaceId: String(++seq), type, viewers: new Set(viewers.map((u) => u.id)) };
  channels.set(ch.id, ch);
  return ch;
}
const api = (u: TestUser, method: string, path: string) => t.api(method, path, { token: u.accessToken });
const joinedIds = (call: any) =>
  call.participants
    .filter((p: any) => p.status === 'joined')
    .map((p: any) => p.userId)
    .sort();

test('join starts an active call without ringing; others join it; it ends when the last one leaves', async () => {
  const [a, b] = await registerUsers(t, 2);
  const ch = channel('voice', [a!, b!]);
  const sb = await SioClient.connect(t, b!.accessToken);
  sockets.push(sb);
  // Voice events also go to the space's room (its members see who is in): watch its bus subject.
  const spaceEvents: Array<{ event: string; payload: any }> = [];
  const sub = t.reef.engine.bus.subscribe(t.reef.engine.rooms.subject(`space:${ch.spaceId}`), (m) =>
    spaceEvents.push(JSON.parse(Buffer.from(m.data).toString())),
  );

  const first = await api(a!, 'POST', `/calls/channels/${ch.id}/join`);
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.type, 'voice_channel');
  assert.equal(first.body.status, 'active');
  assert.equal(first.body.channelId, ch.id);
  assert.equal(first.body.spaceId, ch.spaceId);
  assert.ok(first.body.token.token);
  assert.deepEqual(joinedIds(first.body), [a!.id]);

  // b joins over the socket: the same call, and a voice:joined event with the token
  const ack = await sb.call('voice:join', { channelId: ch.id });
  assert.equal(ack.ok, true, JSON.stringify(ack));
  assert.equal(ack.data.id, first.body.id);
  const joinedEvent = await sb.waitFor('voice:joined');
  assert.equal(joinedEvent.id, first.body.id);
  assert.ok(joinedEvent.token.token);
  const live = await api(a!, 'GET', `/calls/channels/${ch.id}/call`);
  assert.deepEqual(joinedIds(live.body.call), [a!.id, b!.id].sort());

  await api(a!, 'POST', `/calls/channels/${ch.id}/leave`);
  const still = await api(b!, 'GET', `/calls/channels/${ch.id}/call`);
  assert.equal(still.body.call.status, 'active');
  assert.deepEqual(joinedIds(still.body.call), [b!.id], 'only who is connected now');
  const last = await sb.call('voice:leave', { channelId: ch.id });
  assert.equal(last.data.call.status, 'ended');
  assert.deepEqual((await api(a!, 'GET', `/calls/channels/${ch.id}/call`)).body, { call: null });

  await until(() => spaceEvents.some((e) => e.event === 'call:ended'));
  sub.unsubscribe();
  assert.deepEqual(
    spaceEvents.map((e) => [e.event, e.payload.userId ?? null, e.payload.channelId]),
    [
      ['call:participant_joined', a!.id, ch.id],
      ['call:participant_joined', b!.id, ch.id],
      ['call:participant_left', a!.id, ch.id],
      ['call:participant_left', b!.id, ch.id],
      ['call:ended', null, ch.id],
    ],
  );

  // The next join starts a new call.
  const again = await api(b!, 'POST', `/calls/channels/${ch.id}/join`);
  assert.notEqual(again.body.id, first.body.id);
  await until(async () => {
    const rows = await t.reef.engine.db.db
      .selectFrom('calls')
      .select(['id', 'status'])
      .where('channel_id', '=', ch.id)
      .execute();
    return rows.length === 2 && rows.filter((r) => r.status === 'ended').length === 1;
  });
});

test('concurrent first joins share one call', async () => {
  const users = await registerUsers(t, 4);
  const ch = channel('voice', users);
  const joins = await Promise.all(users.map((u) => api(u, 'POST', `/calls/channels/${ch.id}/join`)));
  assert.ok(
    joins.every((r) => r.status === 200),
    joins.map((r) => r.text).join('\n'),
  );
  assert.equal(new Set(joins.map((r) => r.body.id)).size, 1);
  const live = await api(users[0]!, 'GET', `/calls/channels/${ch.id}/call`);
  assert.deepEqual(joinedIds(live.body.call), users.map((u) => u.id).sort());
});

test('unknown channel 404, not a voice channel 400, no VIEW_CHANNELS 403', async () => {
  const [a, b] = await registerUsers(t, 2);
  assert.equal((await api(a!, 'POST', `/calls/channels/123456/join`)).status, 404);
  const text = channel('text', [a!]);
  assert.equal((await api(a!, 'POST', `/calls/channels/${text.id}/join`)).status, 400);
  const voice = channel('voice', [a!]);
  assert.equal((await api(b!, 'POST', `/calls/channels/${voice.id}/join`)).status, 403);
  assert.equal((await api(b!, 'GET', `/calls/channels/${voice.id}/call`)).status, 403);
  const call = (await api(a!, 'POST', `/calls/channels/${voice.id}/join`)).body;
  assert.equal((await api(b!, 'GET', `/calls/${call.id}`)).status, 404);
  assert.equal((await api(b!, 'POST', `/calls/${call.id}/join`)).status, 403);
});
