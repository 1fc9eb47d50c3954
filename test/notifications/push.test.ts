/**
 * Notification delivery out of the app, against local fakes of FCM and APNs: `mobile` pushes to
 * the user's standard tokens (Android → FCM, iOS → APNs; never the VoIP token), `email` sends an
 * email, each only when the user's preference for the type says so; a token the provider rejects
 * as unregistered is deleted.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { registerUsers, type TestUser } from '../helpers/users.ts';
import { FakeFcm } from '../fakes/fcm.ts';
import { FakeApns } from '../fakes/apns.ts';
import { sleep, until } from '../realtime-clients.ts';
import { createPost, follow, ok, setPreferences } from '../social/helpers.ts';
import { addMember, createSpace, send } from '../spaces/helpers.ts';

let t: TestContext;
let fcm: FakeFcm;
let apns: FakeApns;
before(async () => {
  [fcm, apns] = await Promise.all([FakeFcm.start(), FakeApns.start()]);
  t = await TestContext.start({ env: { ...fcm.env(), ...apns.env() } });
});
after(async () => {
  await t.close();
  await Promise.all([fcm.close(), apns.close()]);
});

async function devices(u: TestUser) {
  const tokens = { android: uniq('and-'), ios: uniq('ios-'), voip: uniq('voip-') };
  const reg = (body: Record<string, string>) =>
    ok(t.api('POST', '/devices/register', { token: u.accessToken, body }));
  await reg({ token: tokens.android, platform: 'android' });
  await reg({ token: tokens.ios, platform: 'ios' });
  await reg({ token: tokens.voip, platform: 'ios', tokenType: 'voip' });
  return tokens;
}

const subscribe = (u: TestUser, notif_id: string, channels: Record<string, boolean>) =>
  ok(
    t.api('PUT', '/notifications/me/subscriptions', {
      token: u.accessToken,
      body: { selections: [{ notif_id, channels }] },
    }),
  );

test('a follow request pushes to Android (FCM) and iOS (APNs) standard tokens, not VoIP', async () => {
  const [target, fan] = await registerUsers(t, 2);
  const tokens = await devices(target!);
  await setPreferences(t, target!, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, fan!, target!), 'pending');
  const [android] = await fcm.sent.waitFor((r) => r.message.token === tokens.android);
  assert.deepEqual(android!.message.notification, {
    title: 'New follow request',
    body: `User ${fan!.username} wants to follow you`,
  });
  assert.equal(android!.message.data?.type, 'follow_request');
  assert.equal(android!.message.data?.followerId, fan!.id);
  const stored = await ok<any[]>(t.api('GET', '/notifications', { token: target!.accessToken }));
  assert.equal(android!.message.data?.notificationId, stored[0].id);
  const [ios] = await apns.sent.waitFor((r) => r.token === tokens.ios);
  assert.equal(ios!.headers.topic, 'ac.crab.mobile');
  assert.deepEqual((ios!.payload.aps as any).alert, {
    title: 'New follow request',
    body: `User ${fan!.username} wants to follow you`,
  });
  await sleep(200);
  assert.equal(apns.sent.items.filter((r) => r.token === tokens.voip).length, 0);
});

test('mobile off: stored and listed, nothing pushed; email on: an email is sent', async () => {
  const [target, fan] = await registerUsers(t, 2);
  const tokens = await devices(target!);
  await setPreferences(t, target!, { followRequestPolicy: 'require_approval' });
  await subscribe(target!, 'follow_request', { mobile: false, email: true });
  assert.equal(await follow(t, fan!, target!), 'pending');
  const mail = await t.mailer.waitFor(target!.email, (e) => e.subject === 'New follow request');
  assert.match(mail.text, new RegExp(`${fan!.username} wants to follow you`));
  // 1. Then a notification of a type still pushed, as a marker: once it is through, the first
  //    would have been too.
  const p = await createPost(t, target!, { body: 'x' });
  await ok(t.api('PUT', `/users/${target!.id}/posts/${p.id}/reactions/ok`, { token: fan!.accessToken }));
  await fcm.sent.waitFor((r) => r.message.token === tokens.android && r.message.data?.type === 'reaction');
  await sleep(200);
  assert.equal(
    fcm.sent.items.filter(
      (r) => r.message.token === tokens.android && r.message.data?.type === 'follow_request',
    ).length,
    0,
  );
  assert.equal(
    apns.sent.items.filter((r) => r.token === tokens.ios && r.payload['type'] === 'follow_request').length,
    0,
  );
  const listed = await ok<any[]>(t.api('GET', '/notifications', { token: target!.accessToken }));
  assert.deepEqual(listed.map((n) => n.type).sort(), ['follow_request', 'reaction']);
  // No email for the reaction (email is off by default).
  assert.deepEqual(
    t.mailer.sent
      .filter((e) => e.to === target!.email && e.meta?.['kind'] === 'notification')
      .map((e) => e.meta?.['type']),
    ['follow_request'],
  );
});

test('a token the provider calls unregistered is deleted; the other devices still get the push', async () => {
  const [target, fan] = await registerUsers(t, 2);
  const tokens = await devices(target!);
  fcm.unregistered.add(tokens.android);
  await setPreferences(t, target!, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, fan!, target!), 'pending');
  await apns.sent.waitFor((r) => r.token === tokens.ios);
  const db = t.reef.engine.db.db;
  await until(
    async () =>
      !(await db
        .selectFrom('devices')
        .select('token')
        .where('token', '=', tokens.android)
        .executeTakeFirst()),
    5000,
    'unregistered token deleted',
  );
  const left = await db
    .selectFrom('devices')
    .select('token')
    .where('user_id', '=', target!.id)
    .orderBy('token')
    .execute();
  assert.deepEqual(left.map((d) => d.token).sort(), [tokens.ios, tokens.voip].sort());
});

test('a muted space pushes nothing (spec "Space Mutes"); the mention is still stored, and other spaces still push', async () => {
  const quiet = await createSpace(t);
  const loud = await createSpace(t, quiet.owner);
  const alice = await addMember(t, quiet);
  await addMember(t, loud, alice);
  const tokens = await devices(alice);
  assert.deepEqual(await ok(t.api('PUT', `/spaces/${quiet.id}/mute`, { token: alice.accessToken })), {
    muted: true,
  });
  // 1. a mention in the muted space: in the app, not on the phone
  await send(t, quiet.owner, quiet.generalId, `psst @${alice.username}`);
  await until(async () => {
    const list = await ok<any[]>(t.api('GET', '/notifications', { token: alice.accessToken }));
    return list.some((n) => n.type === 'mention' && n.data.spaceId === quiet.id);
  });
  // 2. a mention in the other space is pushed: once it is through, the first would have been too
  await send(t, loud.owner, loud.generalId, `hey @${alice.username}`);
  const [pushed] = await fcm.sent.waitFor((r) => r.message.token === tokens.android);
  assert.equal(pushed!.message.data?.spaceId, loud.id);
  await apns.sent.waitFor((r) => r.token === tokens.ios);
  await sleep(300);
  assert.deepEqual(
    fcm.sent.items.filter((r) => r.message.token === tokens.android).map((r) => r.message.data?.spaceId),
    [loud.id],
  );
  assert.equal(apns.sent.items.filter((r) => r.token === tokens.ios).length, 1);
  // 3. unmuted, the space pushes again
  await ok(t.api('DELETE', `/spaces/${quiet.id}/mute`, { token: alice.accessToken }));
  await send(t, quiet.owner, quiet.generalId, `again @${alice.username}`);
  await fcm.sent.waitFor((r) => r.message.token === tokens.android && r.message.data?.spaceId === quiet.id);
});

test('web tokens are FCM tokens: a web device gets the push; a voip token on a non-iOS platform is a 400', async () => {
  const [target, fan] = await registerUsers(t, 2);
  const web = uniq('web-');
  await ok(
    t.api('POST', '/devices/register', { token: target!.accessToken, body: { token: web, platform: 'web' } }),
  );
  const bad = await t.api('POST', '/devices/register', {
    token: target!.accessToken,
    body: { token: uniq('v-'), platform: 'android', tokenType: 'voip' },
  });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'VALIDATION_ERROR');
  await setPreferences(t, target!, { followRequestPolicy: 'require_approval' });
  assert.equal(await follow(t, fan!, target!), 'pending');
  const [pushed] = await fcm.sent.waitFor((r) => r.message.token === web);
  assert.equal(pushed!.message.data?.type, 'follow_request');
  assert.deepEqual(pushed!.message.notification, {
    title: 'New follow request',
    body: `User ${fan!.username} wants to follow you`,
  });
  const rows = await t.reef.engine.db.db
    .selectFrom('devices')
    .select(['platform'])
    .where('token', '=', web)
    .execute();
  assert.deepEqual(rows, [{ platform: 'web' }]);
});
