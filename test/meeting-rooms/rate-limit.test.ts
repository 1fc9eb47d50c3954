/**
 * Spec "Public Meeting Rooms": joins are limited per IP (20 per 15 min) and email verification
 * requests too (5 per hour). The limits are config; this test runs them at 3 and 2.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { createSpace, expectStatus } from '../spaces/helpers.ts';
import { createEvent, noonClock } from './helpers.ts';

let t: TestContext;
const clock = noonClock();
before(async () => {
  t = await TestContext.start({
    env: { RATE_LIMIT_MEETING_JOIN: '3/900', RATE_LIMIT_MEETING_VERIFY: '2/3600' },
    clock,
  });
});
after(() => t.close());

test('public joins and email verifications are rate limited per IP (429 with Retry-After)', async () => {
  const space = await createSpace(t);
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { allowPublicVoice: true },
    }),
    200,
  );
  const eventId = await createEvent(t, space, {
    eventDate: clock.today,
    earlyEntry: -1,
    publicAccess: true,
    password: 'pw',
    identityMode: 'email_verify',
  });
  const M = `/public/calendar/${space.slug}/events/${eventId}/meeting`;
  // Failed attempts count too: that is what stops password guessing.
  for (let i = 0; i < 3; i++)
    assert.equal((await t.api('POST', `${M}/join`, { body: { displayName: `Guess ${i}` } })).status, 403);
  const limited = await t.api('POST', `${M}/join`, { body: { displayName: 'One more' } });
  assert.equal(limited.status, 429);
  assert.equal(limited.body.error.code, 'RATE_LIMITED');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  // The pre-join screen is not limited.
  await expectStatus(t.api('GET', M), 200);

  for (let i = 0; i < 2; i++)
    await expectStatus(
      t.api('POST', `${M}/verify-email`, {
        body: { email: `rl${i}-${eventId}@example.com`, displayName: 'R' },
      }),
      200,
    );
  const tooMany = await t.api('POST', `${M}/verify-email`, {
    body: { email: `rl9-${eventId}@example.com`, displayName: 'R' },
  });
  assert.equal(tooMany.status, 429);
  assert.equal(t.mailer.sent.filter((m) => m.to.endsWith(`-${eventId}@example.com`)).length <= 2, true);
});
