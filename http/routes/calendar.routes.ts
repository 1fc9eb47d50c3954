/** Spec "Calendar", personal events, upcoming, public calendar + ICS (issue 10). */
import { schema as s } from '../../domain/calendar/index.ts';
import { badRequest, payloadTooLarge } from '../../engine/errors.ts';
import { created, me, noContent, raw } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

/** Spec "POST .../events/upload-image": max 10 MB. */
const IMAGE_MAX_BYTES = 10 * 1024 * 1024;
const empty = { body: 'json-or-empty' } as const;

export function registerCalendarRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { events, organizers, series, personal, publicCalendar } = services.calendar;
  const db = engine.db.db;
  const base = '/spaces/:spaceId/calendar';
  const sp = (ctx: Parameters<typeof id>[0]) => id(ctx, 'spaceId');
  // The event id is `:id` under .../calendar/events/ (the meeting-room routes share the position:
  // the router allows one parameter name there); personal events use `:eventId`.
  const ev = (ctx: Parameters<typeof id>[0]) => id(ctx, 'id');
  const pev = (ctx: Parameters<typeof id>[0]) => id(ctx, 'eventId');

  // ---- categories ----
  r.get(`${base}/categories`, (ctx) => events.categories(db, me(ctx).id, sp(ctx)));
  r.post(`${base}/categories`, async (ctx) =>
    created(await events.createCategory(db, me(ctx).id, sp(ctx), body(ctx, s.CategoryInput))),
  );
  r.patch(`${base}/categories/:id`, (ctx) =>
    events.patchCategory(db, me(ctx).id, sp(ctx), id(ctx, 'id'), body(ctx, s.CategoryPatch)),
  );
  r.delete(`${base}/categories/:id`, empty, async (ctx) => {
    await events.deleteCategory(db, me(ctx).id, sp(ctx), id(ctx, 'id'));
    return noContent();
  });

  // ---- events ----
  r.get(`${base}/events`, (ctx) => events.range(db, me(ctx).id, sp(ctx), query(ctx, s.RangeQuery)));
  r.get(`${base}/upcoming`, (ctx) =>
    events.upcoming(db, me(ctx).id, sp(ctx), query(ctx, s.UpcomingQuery).limit),
  );
  r.get(`${base}/events/needing-organizer`, (ctx) => organizers.needing(db, me(ctx).id, sp(ctx)));
  r.post(
    `${base}/events/upload-image`,
    { body: 'multipart', maxFiles: 1, bodyLimit: IMAGE_MAX_BYTES + 64 * 1024 },
    (ctx) => {
      const file = ctx.multipart?.files.find((f) => f.field === 'image');
      if (!file) throw badRequest('Multipart field "image" with an image file is required');
      if (file.data.length > IMAGE_MAX_BYTES) throw payloadTooLarge('The image exceeds 10 MB');
      return events.uploadImage(db, me(ctx).id, sp(ctx), file.data);
    },
  );
  r.post(`${base}/events`, async (ctx) =>
    created(await events.create(db, me(ctx), sp(ctx), body(ctx, s.EventInput))),
  );
  r.get(`${base}/events/:id`, (ctx) => events.get(db, me(ctx).id, sp(ctx), ev(ctx)));
  r.patch(`${base}/events/:id`, (ctx) =>
    events.update(db, me(ctx).id, sp(ctx), ev(ctx), body(ctx, s.EventPatch)),
  );
  r.patch(`${base}/events/:id/override`, (ctx) =>
    events.update(db, me(ctx).id, sp(ctx), ev(ctx), body(ctx, s.EventPatch), { override: true }),
  );
  r.delete(`${base}/events/:id`, empty, async (ctx) => {
    await events.remove(db, me(ctx).id, sp(ctx), ev(ctx));
    return noContent();
  });
  r.post(`${base}/events/:id/cancel`, empty, (ctx) => events.cancel(db, me(ctx).id, sp(ctx), ev(ctx)));

  // ---- RSVP ----
  r.post(`${base}/events/:id/rsvp`, (ctx) =>
    events.rsvp(db, me(ctx), sp(ctx), ev(ctx), body(ctx, s.RsvpInput).status),
  );
  r.delete(`${base}/events/:id/rsvp`, empty, (ctx) => events.unrsvp(db, me(ctx).id, sp(ctx), ev(ctx)));
  r.get(`${base}/events/:id/rsvps`, (ctx) => events.rsvps(db, me(ctx).id, sp(ctx), ev(ctx)));

  // ---- organizers ----
  r.post(`${base}/events/:id/claim`, empty, (ctx) => organizers.claim(db, me(ctx).id, sp(ctx), ev(ctx)));
  r.post(`${base}/events/:id/release`, empty, (ctx) => organizers.release(db, me(ctx).id, sp(ctx), ev(ctx)));

  // ---- series ----
  r.get(`${base}/series`, (ctx) => series.list(db, me(ctx).id, sp(ctx)));
  r.post(`${base}/series`, async (ctx) =>
    created(await series.create(db, me(ctx).id, sp(ctx), body(ctx, s.SeriesInput))),
  );
  r.patch(`${base}/series/:seriesId`, (ctx) =>
    series.update(db, me(ctx).id, sp(ctx), id(ctx, 'seriesId'), body(ctx, s.SeriesPatch)),
  );
  r.delete(`${base}/series/:seriesId`, empty, async (ctx) => {
    await series.remove(db, me(ctx).id, sp(ctx), id(ctx, 'seriesId'));
    return noContent();
  });

  // ---- aggregated ----
  r.get('/users/me/events/upcoming', (ctx) =>
    organizers.myUpcoming(db, me(ctx).id, query(ctx, s.UpcomingQuery).limit),
  );
  r.get('/users/me/events/needing-organizer', (ctx) =>
    organizers.myNeeding(db, me(ctx).id, query(ctx, s.NeedingQuery).limit),
  );

  // ---- personal events ----
  const mine = '/users/me/collections/events';
  r.get(`${mine}/categories`, (ctx) => personal.categories(db, me(ctx).id));
  r.post(`${mine}/categories`, async (ctx) =>
    created(await personal.createCategory(db, me(ctx).id, body(ctx, s.CategoryInput))),
  );
  r.patch(`${mine}/categories/:categoryId`, (ctx) =>
    personal.patchCategory(db, me(ctx).id, id(ctx, 'categoryId'), body(ctx, s.CategoryPatch)),
  );
  r.delete(`${mine}/categories/:categoryId`, empty, async (ctx) => {
    await personal.deleteCategory(db, me(ctx).id, id(ctx, 'categoryId'));
    return noContent();
  });
  r.get(mine, (ctx) => personal.listMine(db, me(ctx).id, query(ctx, s.PersonalListQuery)));
  r.post(mine, async (ctx) =>
    created(await personal.create(db, me(ctx).id, body(ctx, s.PersonalEventInput))),
  );
  r.patch(`${mine}/:eventId`, (ctx) =>
    personal.update(db, me(ctx).id, pev(ctx), body(ctx, s.PersonalEventPatch)),
  );
  r.delete(`${mine}/:eventId`, empty, async (ctx) => {
    await personal.remove(db, me(ctx).id, pev(ctx));
    return noContent();
  });
  r.post(`${mine}/:eventId/copy`, async (ctx) =>
    created(await personal.copy(db, me(ctx), pev(ctx), body(ctx, s.CopyInput).spaceId)),
  );
  r.get('/users/:userId/collections/events', (ctx) =>
    personal.listOf(db, me(ctx).id, id(ctx, 'userId'), query(ctx, s.PersonalListQuery)),
  );

  // ---- public calendar ----
  const pub = '/boards/calendar/:spaceSlug';
  const slug = (ctx: Parameters<typeof id>[0]) => ctx.params['spaceSlug'] ?? '';
  r.get(pub, { auth: 'optional' }, (ctx) => publicCalendar.info(db, slug(ctx), ctx.user?.id ?? null));
  r.get(`${pub}/events`, { auth: 'optional' }, (ctx) =>
    publicCalendar.list(db, slug(ctx), ctx.user?.id ?? null, query(ctx, s.RangeQuery)),
  );
  r.get(`${pub}/feed.ics`, { auth: 'optional' }, async (ctx) =>
    raw(200, await publicCalendar.feed(db, slug(ctx), ctx.user?.id ?? null), 'text/calendar; charset=utf-8', {
      'Content-Disposition': `inline; filename="${slug(ctx).replace(/[^\w.-]/g, '_')}.ics"`,
    }),
  );
}
