/**
 * timeline-api "User Timeline API" over reef's timeline events (domain/timeline): the four creates,
 * the feed, hide / unhide / delete. Only names and shapes change here:
 *   recommendation ↔ recording_recommendation, notification ↔ notification,
 *   review ↔ critiquebrainz_review, personal_recommendation ↔ personal_recording_recommendation;
 *   review metadata and blurb_content in snake_case as ListenBrainz sends them.
 */
import * as v from 'valibot';
import type { TimelineEventDto, TimelineEventType } from '../../../domain/timeline/index.ts';
import { timelineSchema } from '../../../domain/timeline/index.ts';
import { badRequest, forbidden } from '../../../engine/errors.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import type { Router } from '../../router.ts';
import { parse, query } from '../../validate.ts';
import { bodyId, caller, lb, selfByName, userByName } from './shapes.ts';

const TO_LB: Record<TimelineEventType, string> = {
  recommendation: 'recording_recommendation',
  notification: 'notification',
  review: 'critiquebrainz_review',
  personal_recommendation: 'personal_recording_recommendation',
};
const FROM_LB = Object.fromEntries(Object.entries(TO_LB).map(([k, v]) => [v, k])) as Record<
  string,
  TimelineEventType
>;

/** reef's metadata keys → ListenBrainz's. */
function lbMetadata(e: TimelineEventDto): Record<string, unknown> {
  const m = e.metadata;
  switch (e.eventType) {
    case 'review':
      return {
        entity_name: m['entityName'],
        entity_id: m['entityId'],
        entity_type: m['entityType'],
        text: m['text'],
        language: m['language'],
        rating: m['rating'] ?? null,
      };
    case 'personal_recommendation': {
      const { blurbContent, userIds: _ids, ...rest } = m;
      return { ...rest, blurb_content: blurbContent ?? '' };
    }
    case 'notification':
      return { message: m['message'], creator: m['creator'] };
    default:
      return m;
  }
}

export const lbEvent = (e: TimelineEventDto) => ({
  id: e.id,
  event_type: TO_LB[e.eventType],
  user_name: e.username,
  created: e.created,
  metadata: lbMetadata(e),
  hidden: e.hidden,
});

const Recording = v.pipe(
  timelineSchema.ItemMetadata,
  v.check(
    (m) => typeof m['recording_mbid'] === 'string' || typeof m['recording_msid'] === 'string',
    'metadata needs recording_mbid or recording_msid',
  ),
);
const RecordingInput = v.object({ metadata: Recording });
const NotificationInput = v.object({ metadata: v.looseObject({ message: v.unknown() }) });
const ReviewInput = v.object({
  metadata: v.looseObject({
    entity_name: v.unknown(),
    entity_id: v.unknown(),
    entity_type: v.unknown(),
    text: v.unknown(),
    language: v.unknown(),
    rating: v.optional(v.unknown()),
  }),
});
const PersonalInput = v.object({
  metadata: v.looseObject({
    users: v.pipe(
      v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(64))),
      v.minLength(1, 'must name at least one user'),
      v.maxLength(100, 'must name at most 100 users'),
    ),
    blurb_content: v.optional(v.string()),
  }),
});
const DeleteInput = v.object({ event_type: v.string(), id: bodyId });
const HideInput = v.object({ event_type: v.string(), event_id: bodyId });

/** Event types the hide endpoints accept; reef has no pins, a pin is its recommendation kind. */
const HIDE_TYPES: Record<string, TimelineEventType> = {
  recording_recommendation: 'recommendation',
  recording_pin: 'recommendation',
};

export function registerEventRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { events } = services.timeline;
  const opt = { auth: 'optional' as const };
  const base = '/user/:userName';

  r.post(
    `${base}/timeline-event/create/recording`,
    opt,
    lb(async (ctx) => {
      const me = await selfByName(services, db, ctx, 'recommend recordings');
      const { metadata } = parse(RecordingInput, ctx.body ?? {});
      return lbEvent(await events.recommend(db, me.id, { metadata }));
    }),
  );
  r.post(
    `${base}/timeline-event/create/notification`,
    opt,
    lb(async (ctx) => {
      const me = caller(ctx);
      const target = await userByName(services, db, ctx);
      const { metadata } = parse(NotificationInput, ctx.body ?? {});
      const input = parse(timelineSchema.NotificationInput, { message: metadata.message, userId: target.id });
      await events.notification(db, me, input);
      return { status: 'ok' };
    }),
  );
  r.post(
    `${base}/timeline-event/create/review`,
    opt,
    lb(async (ctx) => {
      const me = await selfByName(services, db, ctx, 'post reviews');
      const m = parse(ReviewInput, ctx.body ?? {}).metadata;
      const input = parse(timelineSchema.ReviewInput, {
        entityName: m.entity_name,
        entityId: m.entity_id,
        entityType: m.entity_type,
        text: m.text,
        language: m.language,
        rating: m.rating,
      });
      return lbEvent(await events.review(db, me.id, input));
    }),
  );
  r.post(
    `${base}/timeline-event/create/recommend-personal`,
    opt,
    lb(async (ctx) => {
      const me = await selfByName(services, db, ctx, 'recommend personal recordings');
      const { users, blurb_content, ...item } = parse(PersonalInput, ctx.body ?? {}).metadata;
      const metadata = parse(Recording, item, 'metadata');
      const userIds: string[] = [];
      for (const name of users) {
        const u = await events.user(db, { username: name });
        if (!u) throw badRequest(`User ${name} not found`);
        userIds.push(u.id);
      }
      const input = parse(timelineSchema.PersonalRecommendationInput, {
        metadata,
        userIds,
        ...(blurb_content !== undefined ? { blurbContent: blurb_content } : {}),
      });
      return lbEvent(await events.recommendPersonal(db, me, input));
    }),
  );

  r.get(
    `${base}/feed/events`,
    opt,
    lb(async (ctx) => {
      const me = caller(ctx);
      const u = await userByName(services, db, ctx);
      if (u.id !== me.id) throw forbidden("You don't have permissions to view this user's timeline.");
      const list = await events.feed(db, me.id, query(ctx, timelineSchema.FeedQuery));
      return { payload: { count: list.length, user_id: u.username, events: list.map(lbEvent) } };
    }),
  );
  r.post(
    `${base}/feed/events/delete`,
    opt,
    lb(async (ctx) => {
      const me = await selfByName(services, db, ctx, 'delete events');
      const input = parse(DeleteInput, ctx.body ?? {});
      const type = FROM_LB[input.event_type];
      if (!type) throw badRequest(`Unknown event_type ${input.event_type}`);
      await events.remove(db, me.id, input.id, type);
      return { status: 'ok' };
    }),
  );
  r.post(
    `${base}/feed/events/hide`,
    opt,
    lb(async (ctx) => {
      const me = await selfByName(services, db, ctx, 'hide events');
      const input = parse(HideInput, ctx.body ?? {});
      const type = HIDE_TYPES[input.event_type];
      if (!type) throw badRequest('Only recording_recommendation and recording_pin events can be hidden');
      await events.hide(db, me.id, { eventType: type, eventId: input.event_id });
      return { status: 'ok' };
    }),
  );
  r.post(
    `${base}/feed/events/unhide`,
    opt,
    lb(async (ctx) => {
      const me = await selfByName(services, db, ctx, 'unhide events');
      const input = parse(HideInput, ctx.body ?? {});
      if (!HIDE_TYPES[input.event_type])
        throw badRequest('Only recording_recommendation and recording_pin events can be unhidden');
      await events.unhide(db, me.id, input.event_id);
      return { status: 'ok' };
    }),
  );
}
