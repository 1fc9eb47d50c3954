/**
 * Spec "Public Meeting Rooms (No Auth Required)": a guest joins with the password, a second with an
 * invite token; their LiveKit grants follow the public flags; one is kicked (removed from LiveKit,
 * cannot rejoin); the room closes when the last guest leaves. Email verification mode; public voice
 * channels.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import ICAL from 'ical.js';
import { TestContext } from '../context.ts';
import { FakeLiveKit } from '../fakes/livekit.ts';
import { SioClient } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus, type TestSpace } from '../spaces/helpers.ts';
import { createEvent, grantsOf, noonClock } from './helpers.ts';

let t: TestContext;
let lk: FakeLiveKit;
const clock = noonClock();
before(async () => {
  lk = await FakeLiveKit.start();
  t = await TestContext.start({ env: { LIVEKIT_URL: lk.url, ACTOR_ASK_TIMEOUT_MS: '20000' }, clock });
});
after(async () => {
  await t.close();
  await lk.close();
});

async function publicSpace(): Promise<TestSpace> {
  const space = await createSpace(t);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { allowPublicVoice: true },
    }),
    200,
  );
  return space;
}

test('guests: password, invite token, grants, kick blocks rejoin, reconnect, last leave closes', async () => {
  const space = await publicSpace();
  const member = await addMember(t, space);
  const eventId = await createEvent(t, space, {
    eventDate: clock.today,
    earlyEntry: -1,
    publicAccess: true,
    publicChat: true,
    publicParticipation: false,
    password: 'open-sesame',
    name: 'Trail planning',
  });
  const M = `/public/calendar/${space.slug}/events/${eventId}/meeting`;
  const S = `/spaces/${space.id}/calendar/events/${eventId}/meeting`;
  const sock = await SioClient.connect(t, member.accessToken);
  try {
    const info = await expectStatus(t.api('GET', M), 200);
    assert.deepEqual(
      [
        info.eventName,
        info.meetingHasPassword,
        info.meetingPublicChat,
        info.roomStatus,
        info.participantCount,
      ],
      ['Trail planning', true, true, 'closed', 0],
    );
    // 1. Wrong password, then the right one.
    const wrong = await t.api('POST', `${M}/join`, { body: { displayName: 'Pat', password: 'nope' } });
    assert.equal(wrong.status, 403);
    const pat = await expectStatus(
      t.api('POST', `${M}/join`, { body: { displayName: 'Pat', password: 'open-sesame' } }),
      200,
    );
    assert.ok(pat.sessionToken && pat.guestId && pat.channelId);
    const g = grantsOf(pat.token.token);
    assert.deepEqual(
      [g.canPublish, g.canPublishData, g.canSubscribe, g.sub],
      [false, true, true, `guest_${pat.guestId}`],
    );
    const joinedEv = await sock.waitFor(
      'calendar:public_guest_joined',
      (d) => d.guestId === pat.guestId,
      15_000,
    );
    assert.deepEqual(joinedEv, { eventId, guestId: pat.guestId, displayName: 'Pat' });

    // 2. An invite for one use: no password needed; the second use is refused.
    const inv = await expectStatus(
      t.api('POST', `${S}/invite`, {
        token: space.owner.accessToken,
        body: { maxUses: 1, expiresInHours: 2, email: `kim-${eventId}@example.com` },
      }),
      201,
    );
    // The invitee gets the link by email with an ICS attachment (parsed back with ical.js).
    const mail = await t.mailer.waitFor(`kim-${eventId}@example.com`, () => true, 15_000);
    assert.match(mail.text, new RegExp(inv.token));
    const ics = mail.attachments?.find((a) => a.filename.endsWith('.ics'));
    assert.ok(ics, 'an .ics attachment');
    const cal = new ICAL.Component(ICAL.parse(ics.content));
    assert.equal(cal.getFirstPropertyValue('method'), 'REQUEST');
    const vevent = cal.getFirstSubcomponent('vevent')!;
    assert.equal(vevent.getFirstPropertyValue('x-meeting-url'), inv.inviteUrl);
    assert.equal(String(vevent.getFirstPropertyValue('url')), inv.inviteUrl);
    assert.ok(new ICAL.Event(vevent).summary.length > 0);
    assert.equal(inv.maxUses, 1);
    assert.equal(inv.useCount, 0);
    assert.match(inv.inviteUrl, new RegExp(inv.token));
    assert.equal((await t.api('POST', `${S}/invite`, { token: member.accessToken, body: {} })).status, 403);
    const kim = await expectStatus(
      t.api('POST', `${M}/join`, { body: { displayName: 'Kim', inviteToken: inv.token } }),
      200,
    );
    const again = await t.api('POST', `${M}/join`, { body: { displayName: 'Lee', inviteToken: inv.token } });
    assert.equal(again.status, 403);
    const invites = await expectStatus(t.api('GET', `${S}/invites`, { token: space.owner.accessToken }), 200);
    assert.deepEqual(
      invites.map((i: any) => [i.id, i.useCount]),
      [[inv.id, 1]],
    );

    await expectStatus(t.api('DELETE', `${S}/invites/${inv.id}`, { token: space.owner.accessToken }), 204);
    assert.deepEqual(
      await expectStatus(t.api('GET', `${S}/invites`, { token: space.owner.accessToken }), 200),
      [],
    );
    assert.equal(
      (await t.api('DELETE', `${S}/invites/${inv.id}`, { token: space.owner.accessToken })).status,
      404,
    );

    // 3. Members see both guests; the count is 2.
    const guests = await expectStatus(t.api('GET', `${S}/guests`, { token: member.accessToken }), 200);
    assert.deepEqual(guests.map((x: any) => x.displayName).sort(), ['Kim', 'Pat']);
    assert.equal((await expectStatus(t.api('GET', M), 200)).participantCount, 2);
    await sock.waitFor(
      'calendar:room_participant_changed',
      (d) => d.eventId === eventId && d.participantCount === 2,
      15_000,
    );

    // 4. Kick Kim: gone from LiveKit, the room, and she cannot come back (session or invite).
    assert.equal(
      (await t.api('POST', `${S}/kick/${kim.guestId}`, { token: member.accessToken })).status,
      403,
    );
    await expectStatus(t.api('POST', `${S}/kick/${kim.guestId}`, { token: space.owner.accessToken }), 204);
    const kicked = await sock.waitFor(
      'calendar:public_guest_kicked',
      (d) => d.guestId === kim.guestId,
      15_000,
    );
    assert.deepEqual(kicked, { eventId, guestId: kim.guestId, displayName: 'Kim', kickedBy: space.owner.id });
    const removal = await lk.calls.waitFor(
      (c) => c.method === 'RemoveParticipant' && c.body.identity === `guest_${kim.guestId}`,
      1,
      15_000,
    );
    assert.equal(removal[0]!.body.room, grantsOf(kim.token.token).room);
    const back = await t.api('POST', `${M}/join`, {
      body: { displayName: 'Kim', sessionToken: kim.sessionToken },
    });
    assert.equal(back.status, 403);
    assert.match(back.body.error.message, /removed/);
    const remaining = await expectStatus(t.api('GET', `${S}/guests`, { token: member.accessToken }), 200);
    assert.deepEqual(
      remaining.map((x: any) => x.id),
      [pat.guestId],
    );

    // 5. Pat reconnects with her session token: the same guest, no password.
    const re = await expectStatus(
      t.api('POST', `${M}/join`, { body: { displayName: 'Pat', sessionToken: pat.sessionToken } }),
      200,
    );
    assert.equal(re.guestId, pat.guestId);
    await expectStatus(t.api('POST', `${M}/heartbeat`, { body: { sessionToken: pat.sessionToken } }), 204);

    // 6. Pat leaves: nobody is left, the room closes and its channel goes.
    await expectStatus(t.api('POST', `${M}/leave`, { body: { sessionToken: pat.sessionToken } }), 204);
    await sock.waitFor('calendar:public_guest_left', (d) => d.guestId === pat.guestId, 15_000);
    assert.deepEqual(await sock.waitFor('calendar:room_closed', (d) => d.eventId === eventId, 15_000), {
      eventId,
    });
    await lk.calls.waitFor(
      (c) => c.method === 'DeleteRoom' && c.body.room === grantsOf(pat.token.token).room,
      1,
      15_000,
    );
    assert.equal((await expectStatus(t.api('GET', M), 200)).roomStatus, 'closed');
    const ch = await t.reef.engine.db.db
      .selectFrom('channels')
      .select('id')
      .where('id', '=', pat.channelId)
      .execute();
    assert.deepEqual(ch, []);
  } finally {
    await sock.close();
  }
});

test('not public: no allowPublicVoice or no public access is 404', async () => {
  const closed = await createSpace(t);
  const e1 = await createEvent(t, closed, { eventDate: clock.today, publicAccess: true });
  assert.equal((await t.api('GET', `/public/calendar/${closed.slug}/events/${e1}/meeting`)).status, 404);
  const open = await publicSpace();
  const e2 = await createEvent(t, open, { eventDate: clock.today, publicAccess: false });
  assert.equal((await t.api('GET', `/public/calendar/${open.slug}/events/${e2}/meeting`)).status, 404);
  const e3 = await createEvent(t, open, {
    eventDate: clock.today,
    eventTime: '15:00',
    earlyEntry: 5,
    publicAccess: true,
  });
  const early = await t.api('POST', `/public/calendar/${open.slug}/events/${e3}/meeting/join`, {
    body: { displayName: 'Early bird' },
  });
  assert.equal(early.status, 400);
});

test('email verification mode: verify by the emailed link, then join with the token', async () => {
  const space = await publicSpace();
  const eventId = await createEvent(t, space, {
    eventDate: clock.today,
    earlyEntry: -1,
    publicAccess: true,
    identityMode: 'email_verify',
  });
  const M = `/public/calendar/${space.slug}/events/${eventId}/meeting`;
  const email = `guest-${eventId}@example.com`;
  const no = await t.api('POST', `${M}/join`, { body: { displayName: 'Ana' } });
  assert.equal(no.status, 403);
  assert.equal(no.body.error.data.emailVerificationRequired, true);
  assert.deepEqual(
    await expectStatus(t.api('POST', `${M}/verify-email`, { body: { email, displayName: 'Ana V' } }), 200),
    { sent: true },
  );
  const mail = await t.mailer.waitFor(email, () => true, 15_000);
  const token = mail.meta!['token']!;
  assert.ok(mail.text.includes(`/api/public/meeting/verify/${token}`));
  // Not verified yet: refused.
  assert.equal(
    (await t.api('POST', `${M}/join`, { body: { displayName: 'Ana', emailVerificationToken: token } }))
      .status,
    403,
  );
  const verified = await expectStatus(t.api('GET', `/public/meeting/verify/${token}`), 200);
  assert.deepEqual(verified, { token, email, displayName: 'Ana V', eventId, channelId: null });
  const ana = await expectStatus(
    t.api('POST', `${M}/join`, { body: { displayName: 'Ana', emailVerificationToken: token } }),
    200,
  );
  const guests = await expectStatus(
    t.api('GET', `/spaces/${space.id}/calendar/events/${eventId}/meeting/guests`, {
      token: space.owner.accessToken,
    }),
    200,
  );
  assert.deepEqual(
    guests.map((g: any) => [g.id, g.displayName, g.email, g.emailVerified]),
    [[ana.guestId, 'Ana V', email, true]],
  );
  await expectStatus(t.api('POST', `${M}/leave`, { body: { sessionToken: ana.sessionToken } }), 204);
});

test('public voice channels: info and guest join by channel name', async () => {
  const space = await publicSpace();
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/channels`, {
      token: space.owner.accessToken,
      body: { name: 'campfire', type: 'voice', publicVoiceAccess: true, publicVoiceParticipation: true },
    }),
    201,
  );
  const V = `/public/${space.slug}/voice/campfire/meeting`;
  const info = await expectStatus(t.api('GET', V), 200);
  assert.deepEqual(
    [info.channelName, info.meetingPublicParticipation, info.roomStatus],
    ['campfire', true, 'closed'],
  );
  const guest = await expectStatus(t.api('POST', `${V}/join`, { body: { displayName: 'Sam' } }), 200);
  const g = grantsOf(guest.token.token);
  assert.deepEqual([g.canPublish, g.canPublishData], [true, false]);
  assert.equal((await expectStatus(t.api('GET', V), 200)).participantCount, 1);
  await expectStatus(t.api('POST', `${V}/leave`, { body: { sessionToken: guest.sessionToken } }), 204);
  assert.equal((await expectStatus(t.api('GET', V), 200)).roomStatus, 'closed');
  assert.equal((await t.api('GET', `/public/${space.slug}/voice/nope/meeting`)).status, 404);
});
