/** Valibot inputs of timeline events (timeline-api "User Timeline API") and the event shape. */
import * as v from 'valibot';
import { isSnowflake } from '../../engine/ids.ts';
import type { TimelineEventType } from './tables.ts';

const snowflake = v.pipe(
  v.string(),
  v.check((s: string) => isSnowflake(s), 'must be a numeric id'),
);
const text = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.check((s) => !s.includes('\0'), 'must not contain NUL bytes'),
    v.minLength(min, `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
  );

/** Keys the personal recommendation adds to the item's metadata; an item may not use them. */
export const RESERVED_ITEM_KEYS = ['users', 'userIds', 'blurbContent'] as const;

/**
 * Free metadata of the recommended item (e.g. `{ recording_mbid, title, url }`): a flat object of
 * 1–30 keys with string, number, boolean or null values, at most 4 KB as JSON.
 */
export const ItemMetadata = v.pipe(
  v.record(
    text(1, 100),
    v.union([
      v.pipe(
        v.string(),
        v.check((s) => !s.includes('\0'), 'must not contain NUL bytes'),
      ),
      v.number(),
      v.boolean(),
      v.null(),
    ]),
  ),
  v.check((m) => Object.keys(m).length > 0, 'must describe the item (at least one key)'),
  v.check((m) => Object.keys(m).length <= 30, 'must have at most 30 keys'),
  v.check((m) => JSON.stringify(m).length <= 4096, 'must be at most 4096 bytes as JSON'),
);
export type ItemMetadata = v.InferOutput<typeof ItemMetadata>;

/** POST /timeline/events/recommendation */
export const RecommendationInput = v.object({ metadata: ItemMetadata });
export type RecommendationInput = v.InferOutput<typeof RecommendationInput>;

/** POST /timeline/events/notification: on `userId`'s timeline (default: the caller's). */
export const NotificationInput = v.object({ message: text(1, 2000), userId: v.optional(snowflake) });
export type NotificationInput = v.InferOutput<typeof NotificationInput>;

/** POST /timeline/events/review */
export const ReviewInput = v.object({
  entityName: text(1, 500),
  entityId: text(1, 200),
  entityType: text(1, 50),
  text: text(1, 100_000),
  language: v.pipe(
    v.string(),
    v.regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'must be a language code like en'),
  ),
  rating: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5)))),
});
export type ReviewInput = v.InferOutput<typeof ReviewInput>;

/** POST /timeline/events/personal-recommendation: to chosen followers only. */
export const PersonalRecommendationInput = v.object({
  metadata: ItemMetadata,
  userIds: v.pipe(v.array(snowflake), v.minLength(1, 'must name at least one user'), v.maxLength(100)),
  blurbContent: v.optional(text(0, 2000)),
});
export type PersonalRecommendationInput = v.InferOutput<typeof PersonalRecommendationInput>;

const tsParam = v.optional(
  v.pipe(v.string(), v.regex(/^\d{1,12}$/, 'must be a unix timestamp in seconds'), v.transform(Number)),
);
const countParam = v.optional(
  v.pipe(v.string(), v.regex(/^\d{1,6}$/, 'must be a positive integer'), v.transform(Number), v.minValue(1)),
);

/** GET /timeline/feed: `min_ts` / `max_ts` (unix seconds, exclusive), `count` (max checked by config). */
export const FeedQuery = v.object({ min_ts: tsParam, max_ts: tsParam, count: countParam });
export type FeedQuery = v.InferOutput<typeof FeedQuery>;

/** Hiding / unhiding one followed user's event. */
export const HideInput = v.object({ eventType: text(1, 50), eventId: snowflake });
export type HideInput = v.InferOutput<typeof HideInput>;

export interface TimelineEventDto {
  id: string;
  eventType: TimelineEventType;
  userId: string;
  username: string;
  /** ISO 8601 and unix seconds (the unit of min_ts / max_ts). */
  createdAt: string;
  created: number;
  metadata: Record<string, unknown>;
  /** True when the viewer hid it (it stays in their feed, marked). */
  hidden: boolean;
}
