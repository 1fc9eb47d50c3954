/**
 * DM and group DM calls through HTTP and real sockets (spec "Calls (Voice / Video)", the call socket
 * events, "Push Behavior for Calls"), with local fakes of LiveKit, FCM and APNs. The ring timeout is
 * configured short (the spec's 60 s rule, at 2 s).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from './context.ts';
import { registerUsers, type TestUser } from './helpers/users.ts';
import { SioClient, until } from './realtime-clients.ts';
import { FakeLiveKit } from './fakes/livekit.ts';
import { FakeFcm } from './fakes/fcm.ts';
import { FakeApns } from './fakes/apns.ts';

const RING_MS = 2000;
let t: TestContext;
let livekit: FakeLiveKit;
let fcm: FakeFcm;
let apns: FakeApns;
const sockets: SioClient[] = [];

before(async () => {
  [livekit, fcm, apns] = await Promise.all([FakeLiveKit.start(), FakeFcm.start(), FakeApns.start()]);
  t = await TestContext.start({
    env: {
      CALL_RING_TIMEOUT_MS: String(RING_MS),
      LIVEKIT_URL: livekit.url,
      LIVEKIT_WS_URL: 'wss://media.example.test',
      ...fcm.env(),
      ...apns.env(),
    },
  });
});
after(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await t.close();
  await Promise.all([livekit.close(), fcm.close(), apns.close()]);
});

async function connect(u: TestUser): Promise<SioClient> {
  const s = await SioClient.connect(t, u.accessToken);
  sockets.push(s);
  return s;
}
const api = (u: TestUser, method: string, path: string, body?: unknown) =>
  t.api(method, path, { token: u.accessToken, ...(body !== undefined ? { body } : {}) });
const device = (u: TestUser, token: string, platform: 'ios' | 'android', tokenType?: 'voip') =>
  api(u, 'POST', '/devices/register', { token, platform, ...(tokenType ? { tokenType } : {}) }).then((r) =>
    assert.deepEqual(r.body, { success: true }),
  );
const statuses = (call: any) => Object.fromEntries(call.participants.map((p: any) => [p.userId, p.status]));
const jwtPayload = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());

async function dm(a: TestUser, b: TestUser): Promise<string> {
  const r = await api(a, 'POST', `/conversations/with/${b.id}`);
  assert.ok(r.status < 300, r.text);
  return r.body.id;
}

test('a 1:1 call: ringing with pushes, second call refused, answered elsewhere, hang-up ends it and its room', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  const tag = b!.id;
  await device(b!, `android-${tag}`, 'android');
  await device(b!, `voip-${tag}`, 'ios', 'voip');
  await device(b!, `apns-${tag}`, 'ios');
  const [sa, sb] = await Promise.all([connect(a!), connect(b!)]);

  // 1. a calls: a joined, b ringing; a LiveKit token for room call_<id>
  const started = await api(a!, 'POST', `/calls/conversations/${conv}/call`);
  assert.equal(started.status, 201, started.text);
  const call = started.body;
  assert.equal(call.type, 'dm');
  assert.equal(call.status, 'ringing');
  assert.equal(call.conversationId, conv);
  assert.equal(call.roomName, `call_${call.id}`);
  assert.equal(call.initiatedBy, a!.id);
  assert.deepEqual(statuses(call), { [a!.id]: 'joined', [b!.id]: 'ringing' });
  assert.equal(call.participants.find((p: any) => p.userId === a!.id).username, a!.username);
  assert.equal(call.token.wsUrl, 'wss://media.example.test');
  const grant = jwtPayload(call.token.token);
  assert.equal(grant.sub, a!.id);
  assert.equal(grant.video.room, call.roomName);
  assert.equal(grant.video.roomJoin, true);

  // 2. b's sockets ring; b's devices get the call pushes (VoIP for iOS, so no alert on the APNs token)
  const ringing = await sb.waitFor('call:ringing', (e) => e.call.id === call.id);
  assert.equal(ringing.conversationId, conv);
  const [androidPush] = await fcm.sent.waitFor((r) => r.message.token === `android-${tag}`);
  assert.equal(androidPush!.message.android?.priority, 'high');
  assert.equal(androidPush!.message.notification, undefined);
  assert.deepEqual(androidPush!.message.data, {
    type: 'incoming_call',
    callId: call.id,
    conversationId: conv,
    callerName: `User ${a!.username}`,
    callerAvatarUrl: '',
  });
  const [voip] = await apns.sent.waitFor((r) => r.token === `voip-${tag}`);
  assert.equal(voip!.headers.pushType, 'voip');
  assert.equal(voip!.headers.topic, 'ac.crab.mobile.voip');
  assert.equal(voip!.payload.callId, call.id);
  assert.equal(voip!.payload.callerName, `User ${a!.username}`);
  assert.ok(Number(voip!.headers.expiration) > 0);
  assert.equal(apns.sent.items.filter((r) => r.token === `apns-${tag}`).length, 0);

  // 3. one call per conversation
  const second = await api(b!, 'POST', `/calls/conversations/${conv}/call`);
  assert.equal(second.status, 400);
  assert.equal(second.body.error.code, 'CALL_IN_PROGRESS');
  assert.equal(second.body.error.data.existingCallId, call.id);

  // 4. b answers: active; a hears b joined; b's other devices stop ringing
  const answered = await api(b!, 'POST', `/calls/${call.id}/respond`, { action: 'accept' });
  assert.equal(answered.status, 200);
  assert.equal(answered.body.status, 'active');
  assert.ok(answered.body.startedAt);
  assert.equal(jwtPayload(answered.body.token.token).sub, b!.id);
  const joined = await sa.waitFor('call:participant_joined', (e) => e.call.id === call.id);
  assert.equal(joined.userId, b!.id);
  assert.deepEqual(await sb.waitFor('call:answered_elsewhere'), { callId: call.id });
  const [silent] = await apns.sent.waitFor(
    (r) => r.token === `apns-${tag}` && r.payload.type === 'call_answered_elsewhere',
  );
  assert.equal(silent!.headers.pushType, 'background');
  await fcm.sent.waitFor(
    (r) => r.message.token === `android-${tag}` && r.message.data?.type === 'call_answered_elsewhere',
  );
  const current = await api(a!, 'GET', `/calls/conversations/${conv}/call`);
  assert.equal(current.body.call.id, call.id);
  assert.equal(current.body.call.status, 'active');

  // 5. b hangs up: fewer than two left, the call ends for both and its LiveKit room is deleted
  const left = await api(b!, 'POST', `/calls/${call.id}/leave`);
  assert.equal(left.body.status, 'ended');
  const ended = await sa.waitFor('call:ended', (e) => e.call.id === call.id);
  assert.equal(ended.conversationId, conv);
  assert.deepEqual(statuses(ended.call), { [a!.id]: 'left', [b!.id]: 'left' });
  await sb.waitFor('call:ended', (e) => e.call.id === call.id);
  const [del] = await livekit.calls.waitFor(
    (c) => c.method === 'DeleteRoom' && c.body.room === call.roomName,
  );
  assert.match(del!.authorization, /^Bearer /);
  assert.deepEqual((await api(a!, 'GET', `/calls/conversations/${conv}/call`)).body, { call: null });
  await until(async () => {
    const row = await t.reef.engine.db.db
      .selectFrom('calls')
      .select(['status', 'ended_at'])
      .where('id', '=', call.id)
      .executeTakeFirst();
    return row?.status === 'ended' && row.ended_at !== null;
  });
  // 6. the conversation is free for a new call
  await until(async () => (await api(a!, 'POST', `/calls/conversations/${conv}/call`)).status === 201);
});

test('nobody answers: after the ring timeout the call ends, the callee missed, ringing devices cancelled', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  await device(b!, `apns-only-${b!.id}`, 'ios');
  const sa = await connect(a!);
  const t0 = Date.now();
  const call = (await api(a!, 'POST', `/calls/conversations/${conv}/call`)).body;
  // No VoIP token: the incoming call comes as an alert on the standard token (spec fallback).
  const [alert] = await apns.sent.waitFor(
    (r) => r.token === `apns-only-${b!.id}` && r.payload.type === 'incoming_call',
  );
  assert.equal(alert!.headers.pushType, 'alert');
  assert.deepEqual(alert!.payload.aps?.alert, { title: `User ${a!.username}`, body: 'Incoming call' });

  const ended = await sa.waitFor('call:ended', (e) => e.call.id === call.id, RING_MS + 8000);
  assert.ok(Date.now() - t0 >= RING_MS - 50, 'not before the ring timeout');
  assert.deepEqual(statuses(ended.call), { [a!.id]: 'left', [b!.id]: 'missed' });
  const [cancel] = await apns.sent.waitFor(
    (r) => r.token === `apns-only-${b!.id}` && r.payload.type === 'call_ended',
  );
  assert.equal(cancel!.headers.pushType, 'background');
  assert.equal(
    (await api(b!, 'POST', `/calls/${call.id}/respond`, { action: 'accept' })).body.error.code,
    'CALL_ENDED',
  );
});

test('group call: the group name as caller, declines are told, everyone declining ends it', async () => {
  const [a, b, c] = await registerUsers(t, 3);
  const g = await api(a!, 'POST', '/conversations/groups', { name: 'crew', participantIds: [b!.id, c!.id] });
  await device(c!, `android-${c!.id}`, 'android');
  const [sa, sb] = await Promise.all([connect(a!), connect(b!)]);
  const call = (await api(a!, 'POST', `/calls/conversations/${g.body.id}/call`)).body;
  assert.deepEqual(statuses(call), { [a!.id]: 'joined', [b!.id]: 'ringing', [c!.id]: 'ringing' });
  const [push] = await fcm.sent.waitFor((r) => r.message.token === `android-${c!.id}`);
  assert.equal(push!.message.data?.callerName, 'crew');

  // over the socket this time
  const ack = await sb.call('call:respond', { callId: call.id, action: 'decline' });
  assert.equal(ack.ok, true);
  assert.equal(ack.data.status, 'ringing', 'c may still answer');
  const declined = await sa.waitFor('call:participant_declined', (e) => e.call.id === call.id);
  assert.equal(declined.userId, b!.id);
  assert.deepEqual(await sb.waitFor('call:declined_elsewhere'), { callId: call.id });
  const last = await api(c!, 'POST', `/calls/${call.id}/respond`, { action: 'decline' });
  assert.equal(last.body.status, 'ended');
  const ended = await sa.waitFor('call:ended', (e) => e.call.id === call.id);
  assert.deepEqual(statuses(ended.call), { [a!.id]: 'left', [b!.id]: 'declined', [c!.id]: 'declined' });
});

test('rejoin after declining, fresh tokens for joined participants only, force end, privacy', async () => {
  const [a, b, c, x] = await registerUsers(t, 4);
  const g = await api(a!, 'POST', '/conversations/groups', { participantIds: [b!.id, c!.id] });
  const sc = await connect(c!);
  const call = (await api(a!, 'POST', `/calls/conversations/${g.body.id}/call`)).body;
  await api(b!, 'POST', `/calls/${call.id}/respond`, { action: 'accept' });
  await api(c!, 'POST', `/calls/${call.id}/respond`, { action: 'decline' });
  assert.equal((await api(c!, 'POST', `/calls/${call.id}/token`)).status, 403, 'not joined');
  const rejoined = await api(c!, 'POST', `/calls/${call.id}/join`);
  assert.equal(rejoined.status, 200);
  assert.equal(statuses(rejoined.body)[c!.id], 'joined');
  assert.equal(jwtPayload(rejoined.body.token.token).video.room, call.roomName);
  const fresh = await api(c!, 'POST', `/calls/${call.id}/token`);
  assert.equal(fresh.status, 200);
  assert.equal(jwtPayload(fresh.body.token).sub, c!.id);

  assert.equal((await api(x!, 'GET', `/calls/${call.id}`)).status, 404, 'outsiders cannot see it');
  assert.equal((await api(x!, 'POST', `/calls/${call.id}/end`)).status, 403);
  assert.equal((await api(x!, 'POST', `/calls/${call.id}/join`)).status, 403);
  assert.equal((await api(b!, 'GET', `/calls/${call.id}`)).body.status, 'active');

  // c hangs up over the socket; a and b are still in, so the call goes on
  const bye = await sc.call('call:leave', { callId: call.id });
  assert.equal(bye.data.status, 'active');
  const ended = await api(b!, 'POST', `/calls/${call.id}/end`);
  assert.equal(ended.body.status, 'ended');
  assert.deepEqual(statuses(ended.body), { [a!.id]: 'left', [b!.id]: 'left', [c!.id]: 'left' });
  await sc.waitFor('call:ended', (e) => e.call.id === call.id);
  await livekit.calls.waitFor((l) => l.method === 'DeleteRoom' && l.body.room === call.roomName);
  assert.equal((await api(a!, 'POST', `/calls/${call.id}/token`)).status, 403);
});

test('a device token the provider calls unregistered is deleted', async () => {
  const [a, b] = await registerUsers(t, 2);
  const conv = await dm(a!, b!);
  fcm.unregistered.add(`stale-android-${b!.id}`);
  apns.unregistered.add(`stale-voip-${b!.id}`);
  await device(b!, `stale-android-${b!.id}`, 'android');
  await device(b!, `stale-voip-${b!.id}`, 'ios', 'voip');
  await device(b!, `good-android-${b!.id}`, 'android');
  await api(a!, 'POST', `/calls/conversations/${conv}/call`);
  await fcm.sent.waitFor((r) => r.message.token === `good-android-${b!.id}`);
  await until(async () => {
    const rows = await t.reef.engine.db.db
      .selectFrom('devices')
      .select('token')
      .where('user_id', '=', b!.id)
      .execute();
    return rows.length === 1 && rows[0]!.token === `good-android-${b!.id}`;
  });
});
