/**
 * Input schemas of the calendar (spec "Calendar", "Recurring Event Series", "Personal Events").
 * Dates are real calendar dates `YYYY-MM-DD`, times `HH:mm` (00:00–23:59).
 */
import * as v from 'valibot';
import { color, limitParam, snowflake, str, trimmed } from '../../http/validate.ts';

/** A real calendar date (2026-02-30 is refused, not rolled over). */
export function isDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const [y, m, d] = s.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

export const dateStr = v.pipe(v.string(), v.check(isDate, 'must be a date YYYY-MM-DD'));
export const timeStr = v.pipe(v.string(), v.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:mm'));
const nullable = <S extends v.GenericSchema>(s: S) => v.optional(v.nullable(s));

export const ACTIVITY_TYPES = ['ride', 'run', 'walk'] as const;
export const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

export const CategoryInput = v.strictObject({ name: trimmed(1, 100), color });
export const CategoryPatch = v.pipe(
  v.strictObject({ name: v.optional(trimmed(1, 100)), color: v.optional(color) }),
  v.check((i) => i.name !== undefined || i.color !== undefined, 'name or color is required'),
);

/** Fields an event and a series template share (all optional here; required ones are added below). */
const shared = {
  description: nullable(str(0, 4000)),
  eventTime: nullable(timeStr),
  endTime: nullable(timeStr),
  categoryId: nullable(snowflake),
  imageUrl: nullable(str(1, 512)),
  isPublic: v.optional(v.boolean()),
  location: nullable(str(0, 500)),
  activityType: nullable(v.picklist(ACTIVITY_TYPES, 'must be ride, run or walk')),
  routeId: nullable(snowflake),
  organizerId: nullable(snowflake),
  organizerNeeded: v.optional(v.boolean()),
};

const meeting = {
  meetingRoomEnabled: v.optional(v.boolean()),
  meetingRoomEarlyEntry: nullable(
    v.pipe(
      v.number(),
      v.integer(),
      v.check((n) => n === -1 || (n >= 0 && n <= 24 * 60), 'must be -1 or 0–1440'),
    ),
  ),
  meetingPublicAccess: v.optional(v.boolean()),
  meetingPublicChat: v.optional(v.boolean()),
  meetingPublicParticipation: v.optional(v.boolean()),
  meetingRoomPassword: nullable(str(1, 200)),
  meetingIdentityMode: v.optional(v.picklist(['anonymous', 'email_verify', 'require_login'])),
};

export const EventPatch = v.strictObject({
  name: v.optional(trimmed(1, 200)),
  eventDate: v.optional(dateStr),
  ...shared,
  ...meeting,
});
export type EventPatch = v.InferOutput<typeof EventPatch>;

export const EventInput = v.strictObject({
  name: trimmed(1, 200),
  eventDate: dateStr,
  ...shared,
  ...meeting,
});
export type EventInput = v.InferOutput<typeof EventInput>;

export const RecurrenceRule = v.strictObject({
  freq: v.picklist(['weekly', 'monthly'], 'must be weekly or monthly'),
  interval: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(52)),
  byDay: v.pipe(v.array(v.picklist(DAY_CODES, 'must be a day code SU..SA')), v.minLength(1), v.maxLength(7)),
  bySetPos: v.optional(v.nullable(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5)))),
  dtstart: dateStr,
  until: dateStr,
});
export type RecurrenceRule = v.InferOutput<typeof RecurrenceRule>;

export const SeriesInput = v.strictObject({
  name: trimmed(1, 200),
  ...shared,
  recurrenceRule: RecurrenceRule,
});
export type SeriesInput = v.InferOutput<typeof SeriesInput>;

export const SeriesPatch = v.strictObject({
  name: v.optional(trimmed(1, 200)),
  ...shared,
  recurrenceRule: v.optional(RecurrenceRule),
  updateMode: v.optional(v.picklist(['all', 'future']), 'all'),
});
export type SeriesPatch = v.InferOutput<typeof SeriesPatch>;

export const RsvpInput = v.strictObject({ status: v.picklist(['going', 'maybe', 'not_going']) });

export const RangeQuery = v.object({ from: dateStr, to: dateStr });
export const OptionalRangeQuery = v.object({ from: v.optional(dateStr), to: v.optional(dateStr) });
export const UpcomingQuery = v.object({ limit: limitParam(20, 50) });
export const NeedingQuery = v.object({ limit: limitParam(10, 30) });

// ---- personal events ----
export const VISIBILITIES = ['public', 'followers', 'spaces', 'private'] as const;

const personal = {
  description: nullable(str(0, 4000)),
  eventTime: nullable(timeStr),
  endTime: nullable(timeStr),
  location: nullable(str(0, 500)),
  categoryId: nullable(snowflake),
  imageUrl: nullable(str(1, 512)),
  activityType: nullable(v.picklist(ACTIVITY_TYPES, 'must be ride, run or walk')),
  visibility: v.optional(v.picklist(VISIBILITIES)),
  meetingRoomEnabled: v.optional(v.boolean()),
  meetingRoomEarlyEntry: nullable(
    v.pipe(
      v.number(),
      v.integer(),
      v.check((n) => n === -1 || (n >= 0 && n <= 120), 'must be -1 or 0–120'),
    ),
  ),
};
export const PersonalEventInput = v.strictObject({ name: trimmed(1, 200), eventDate: dateStr, ...personal });
export type PersonalEventInput = v.InferOutput<typeof PersonalEventInput>;
export const PersonalEventPatch = v.strictObject({
  name: v.optional(trimmed(1, 200)),
  eventDate: v.optional(dateStr),
  ...personal,
});
export type PersonalEventPatch = v.InferOutput<typeof PersonalEventPatch>;
export const PersonalListQuery = v.object({
  from: v.optional(dateStr),
  to: v.optional(dateStr),
  limit: limitParam(50, 200),
  visibility: v.optional(v.picklist(VISIBILITIES)),
});
export const CopyInput = v.strictObject({ spaceId: snowflake });
