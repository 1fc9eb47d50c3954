/** Spec "Meeting Rooms", "Public Meeting Rooms (No Auth Required)", "Personal Event Meeting Rooms" (issue 10). */
import { parseRate } from '../../engine/config.ts';
import { schema } from '../../domain/meeting-rooms/index.ts';
import { created, me, noContent, type Ctx } from '../context.ts';
import type { RateLimitSpec, Router } from '../router.ts';
import { body, id, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

/**
 * The event id parameter's name under /spaces/:spaceId/calendar/events/ (the router refuses two
 * names at one position, so it matches the calendar routes').
 */
export const EVENT_PARAM = 'id';

export function registerMeetingRoomsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const rooms = () => services.meetingRooms.rooms;
  const db = engine.db.db;
  const E = `/spaces/:spaceId/calendar/events/:${EVENT_PARAM}`;
  const ev = (ctx: Ctx) => id(ctx, EVENT_PARAM);
  const space = (ctx: Ctx) => id(ctx, 'spaceId');
  const limit = (name: string, rate: string, message: string): RateLimitSpec => ({
    name: `meeting-${name}`,
    ...parseRate(rate),
    by: 'ip',
    message,
  });
  const joinRate = limit(
    'join',
    engine.config.RATE_LIMIT_MEETING_JOIN,
    'Too many join attempts; try again later',
  );
  const verifyRate = limit(
    'verify',
    engine.config.RATE_LIMIT_MEETING_VERIFY,
    'Too many verification requests; try again later',
  );
  const open = { auth: 'optional' as const };
  const joinOpts = { auth: 'optional' as const, rateLimit: joinRate };
  const slugParam = (ctx: Ctx) => ctx.params['spaceSlug'] ?? '';

  // ---- members ----
  r.get('/spaces/:spaceId/calendar/active-rooms', async (ctx) =>
    rooms().members.active(db, me(ctx).id, space(ctx), query(ctx, schema.DateQuery).date),
  );
  r.get('/spaces/:spaceId/calendar/my-active-room', async (ctx) =>
    rooms().members.mine(db, me(ctx).id, space(ctx)),
  );
  r.post(`${E}/room/join`, { body: 'json-or-empty' }, async (ctx) =>
    rooms().members.join(db, me(ctx).id, space(ctx), ev(ctx), body(ctx, schema.DateInput).date),
  );
  r.post(`${E}/room/leave`, { body: 'json-or-empty' }, async (ctx) => {
    await rooms().members.leave(db, me(ctx).id, space(ctx), ev(ctx));
    return noContent();
  });
  r.post(`${E}/room/heartbeat`, { body: 'json-or-empty' }, async (ctx) => {
    await rooms().members.heartbeat(db, me(ctx).id, space(ctx), ev(ctx));
    return noContent();
  });
  r.post(`${E}/meeting/invite`, { body: 'json-or-empty' }, async (ctx) =>
    created(
      await rooms().guests.createInvite(db, me(ctx).id, space(ctx), ev(ctx), body(ctx, schema.InviteInput)),
    ),
  );
  r.get(`${E}/meeting/invites`, async (ctx) => rooms().guests.invites(db, me(ctx).id, space(ctx), ev(ctx)));
  r.delete(`${E}/meeting/invites/:inviteId`, { body: 'json-or-empty' }, async (ctx) => {
    await rooms().guests.deleteInvite(db, me(ctx).id, space(ctx), ev(ctx), id(ctx, 'inviteId'));
    return noContent();
  });
  r.get(`${E}/meeting/guests`, async (ctx) => rooms().guests.guests(db, me(ctx).id, space(ctx), ev(ctx)));
  r.post(`${E}/meeting/kick/:guestId`, { body: 'json-or-empty' }, async (ctx) => {
    await rooms().guests.kick(db, me(ctx).id, space(ctx), ev(ctx), id(ctx, 'guestId'));
    return noContent();
  });

  // ---- personal events ----
  r.post('/users/me/collections/events/:eventId/room/join', { body: 'json-or-empty' }, async (ctx) =>
    rooms().members.joinPersonal(db, me(ctx).id, id(ctx, 'eventId'), body(ctx, schema.DateInput).date),
  );
  r.post('/users/me/collections/events/:eventId/room/leave', { body: 'json-or-empty' }, async (ctx) => {
    await rooms().members.leavePersonal(db, me(ctx).id, id(ctx, 'eventId'));
    return noContent();
  });

  // ---- public: event meetings and voice channels, same shapes ----
  const targets = {
    event: (ctx: Ctx) => rooms().publicEvent(slugParam(ctx), id(ctx, 'eventId')),
    voice: (ctx: Ctx) => rooms().publicVoice(slugParam(ctx), ctx.params['channelName'] ?? ''),
  };
  const bases = {
    event: '/public/calendar/:spaceSlug/events/:eventId/meeting',
    voice: '/public/:spaceSlug/voice/:channelName/meeting',
  };
  for (const kind of ['event', 'voice'] as const) {
    const base = bases[kind];
    const target = targets[kind];
    r.get(base, open, async (ctx) => rooms().guests.info(await target(ctx)));
    r.post(`${base}/join`, joinOpts, async (ctx) =>
      rooms().guests.join(db, await target(ctx), body(ctx, schema.GuestJoinInput), ctx.user),
    );
    r.post(`${base}/leave`, open, async (ctx) => {
      await rooms().guests.leave(await target(ctx), body(ctx, schema.SessionInput).sessionToken);
      return noContent();
    });
    r.post(`${base}/heartbeat`, open, async (ctx) => {
      await rooms().guests.heartbeat(await target(ctx), body(ctx, schema.SessionInput).sessionToken);
      return noContent();
    });
    r.post(`${base}/verify-email`, { auth: 'optional', rateLimit: verifyRate }, async (ctx) => {
      const input = body(ctx, schema.VerifyEmailInput);
      return rooms().guests.requestVerification(db, await target(ctx), input.email, input.displayName);
    });
  }
  r.get('/public/meeting/verify/:token', open, async (ctx) =>
    rooms().guests.verify(db, ctx.params['token'] ?? ''),
  );
}
