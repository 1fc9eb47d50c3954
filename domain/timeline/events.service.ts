/**
 * Timeline events (timeline-api "User Timeline API"). Kinds and rules:
 * - `recommendation`: a user recommends an item (free metadata) to their followers.
 * - `notification`: a message on a user's timeline (default: one's own), posted by an approved user
 *   or an admin only (403 otherwise). "Approved" is an admin flag: admins approve users through
 *   PUT /timeline/approved/:userId (table timeline_approved_users); admins are always approved.
 * - `review`: entity name / id / type, text, language, rating 1–5 (optional).
 * - `personal_recommendation`: an item with `blurbContent` to chosen users, each of whom must follow
 *   the author (400 with data.userIds otherwise); each recipient is notified
 *   (`personal_recommendation`).
 * Visibility: the author's accepted followers (and the author) see their events; a personal
 * recommendation only its recipients (and the author). The feed merges one's own events with those
 * of followed users, newest first, `count` default TIMELINE_FEED_DEFAULT (25), max
 * TIMELINE_FEED_MAX (100), min_ts / max_ts exclusive, in unix seconds.
 * Hiding: only `recommendation` events (the timeline-api's recording_recommendation / recording_pin;
 * reef has no pins) of followed users can be hidden; a hidden event stays in the feed with
 * `hidden: true`. Deleting: one's own events, of any kind.
 */
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import type { AuthUser } from '../../engine/auth/types.ts';
import {
  approve,
  approvedUsers,
  deleteEvent,
  followersAmong,
  getEvent,
  hide,
  insertEvent,
  isApproved,
  isFollowing,
  listVisible,
  onlyUser,
  selfAndFollowed,
  unapprove,
  unhide,
  userByName,
  usersById,
  visibleEvent,
  type EventRow,
} from './events.repository.ts';
import {
  RESERVED_ITEM_KEYS,
  type FeedQuery,
  type HideInput,
  type NotificationInput,
  type PersonalRecommendationInput,
  type RecommendationInput,
  type ReviewInput,
  type TimelineEventDto,
} from './events.schema.ts';
import type { TimelineDeps, TimelinePorts } from './ports.ts';
import type { TimelineEventType } from './tables.ts';

/** Kinds a follower may hide (timeline-api "hide": recording_recommendation and recording_pin). */
export const HIDEABLE_TYPES: readonly TimelineEventType[] = ['recommendation'];

export interface TimelineUser {
  id: string;
  username: string;
  displayName: string;
}

export interface ApprovedUser extends TimelineUser {
  approvedAt: string;
}

const toDto = (r: EventRow): TimelineEventDto => {
  const at = new Date(r.created_at);
  return {
    id: String(r.id),
    eventType: r.event_type,
    userId: String(r.user_id),
    username: r.username,
    createdAt: at.toISOString(),
    created: Math.floor(at.getTime() / 1000),
    metadata: r.metadata,
    hidden: r.hidden,
  };
};

export class TimelineEventsService {
  constructor(
    private readonly p: TimelinePorts,
    private readonly deps: TimelineDeps,
  ) {}

  /** A user by id or by username (case-insensitive), or null. For the compatibility surfaces too. */
  async user(db: Db, by: { id: string } | { username: string }): Promise<TimelineUser | null> {
    const row = 'id' in by ? (await usersById(db, [by.id]))[0] : await userByName(db, by.username);
    return row ? { id: String(row.id), username: row.username, displayName: row.display_name } : null;
  }

  private async requireUser(db: Db, id: string): Promise<TimelineUser> {
    const u = await this.user(db, { id });
    if (!u) throw notFound('User not found');
    return u;
  }

  private async create(
    db: Db,
    userId: string,
    type: TimelineEventType,
    metadata: Record<string, unknown>,
    recipients?: readonly string[],
  ): Promise<TimelineEventDto> {
    const id = this.p.ids.next();
    const at = new Date(this.p.clock.now());
    const run = async (trx: Db) =>
      insertEvent(trx, { id, userId, type, metadata, at, ...(recipients ? { recipients } : {}) });
    await (db.isTransaction ? run(db) : db.transaction().execute(run));
    const u = await this.requireUser(db, userId);
    return toDto({
      id,
      user_id: userId,
      username: u.username,
      event_type: type,
      metadata,
      created_at: at,
      hidden: false,
    });
  }

  /** POST /timeline/events/recommendation */
  recommend(db: Db, meId: string, input: RecommendationInput): Promise<TimelineEventDto> {
    return this.create(db, meId, 'recommendation', input.metadata);
  }

  /** Approved: an admin, or a user an admin approved. */
  async isApproved(db: Db, user: AuthUser): Promise<boolean> {
    return user.isAdmin || (await isApproved(db, user.id));
  }

  /** POST /timeline/events/notification */
  async notification(db: Db, me: AuthUser, input: NotificationInput): Promise<TimelineEventDto> {
    if (!(await this.isApproved(db, me))) throw forbidden('Only approved users can post notification events');
    const target = input.userId ?? me.id;
    await this.requireUser(db, target);
    return this.create(db, target, 'notification', {
      message: input.message,
      creator: me.username,
      creatorId: me.id,
    });
  }

  /** POST /timeline/events/review */
  review(db: Db, meId: string, input: ReviewInput): Promise<TimelineEventDto> {
    return this.create(db, meId, 'review', {
      entityName: input.entityName,
      entityId: input.entityId,
      entityType: input.entityType,
      text: input.text,
      language: input.language,
      rating: input.rating ?? null,
    });
  }

  /** POST /timeline/events/personal-recommendation */
  async recommendPersonal(
    db: Db,
    me: AuthUser,
    input: PersonalRecommendationInput,
  ): Promise<TimelineEventDto> {
    const reserved = RESERVED_ITEM_KEYS.filter((k) => k in input.metadata);
    if (reserved.length) throw badRequest(`metadata must not use the keys ${reserved.join(', ')}`);
    const ids = [...new Set(input.userIds)];
    if (ids.includes(me.id)) throw badRequest('You cannot recommend to yourself');
    const followers = await followersAmong(db, me.id, ids);
    const notFollowing = ids.filter((u) => !followers.has(u));
    if (notFollowing.length) throw badRequest('Every recipient must follow you', { userIds: notFollowing });
    const recipients = await usersById(db, ids);
    const event = await this.create(
      db,
      me.id,
      'personal_recommendation',
      {
        ...input.metadata,
        blurbContent: input.blurbContent ?? '',
        users: recipients.map((r) => r.username),
        userIds: recipients.map((r) => String(r.id)),
      },
      ids,
    );
    for (const u of ids)
      await this.deps.notifier.notify(
        u,
        'personal_recommendation',
        {
          eventId: event.id,
          actorId: me.id,
          actorUsername: me.username,
          preview: (input.blurbContent ?? '').slice(0, 200),
        },
        { actorId: me.id },
      );
    return event;
  }

  private window(q: FeedQuery): { minTs?: number; maxTs?: number; count: number } {
    const max = this.p.config.TIMELINE_FEED_MAX;
    const count = q.count ?? this.p.config.TIMELINE_FEED_DEFAULT;
    if (count > max) throw badRequest(`count must be at most ${max}`, { max });
    if (q.min_ts !== undefined && q.max_ts !== undefined && q.min_ts >= q.max_ts)
      throw badRequest('min_ts must be less than max_ts');
    return {
      count,
      ...(q.min_ts !== undefined ? { minTs: q.min_ts } : {}),
      ...(q.max_ts !== undefined ? { maxTs: q.max_ts } : {}),
    };
  }

  /** GET /timeline/feed: own events and those of followed users the viewer may see. */
  async feed(db: Db, meId: string, q: FeedQuery): Promise<TimelineEventDto[]> {
    return (await listVisible(db, meId, selfAndFollowed(meId), this.window(q))).map(toDto);
  }

  /** GET /timeline/users/:userId/events: 403 unless the viewer is the user or follows them. */
  async userEvents(db: Db, viewerId: string, userId: string, q: FeedQuery): Promise<TimelineEventDto[]> {
    await this.requireUser(db, userId);
    if (viewerId !== userId && !(await isFollowing(db, viewerId, userId)))
      throw forbidden('Follow this user to see their timeline events');
    return (await listVisible(db, viewerId, onlyUser(userId), this.window(q))).map(toDto);
  }

  /** DELETE /timeline/events/:eventId: one's own; `eventType`, when given, must match (else 404). */
  async remove(db: Db, meId: string, eventId: string, eventType?: string): Promise<void> {
    const e = await getEvent(db, eventId);
    if (!e || String(e.user_id) !== meId || (eventType !== undefined && e.event_type !== eventType))
      throw notFound('Event not found');
    await deleteEvent(db, eventId);
  }

  /** POST /timeline/hidden: hide a followed user's recommendation from one's feed. */
  async hide(db: Db, meId: string, input: HideInput): Promise<{ hidden: true }> {
    if (!(HIDEABLE_TYPES as readonly string[]).includes(input.eventType))
      throw badRequest(`Only ${HIDEABLE_TYPES.join(', ')} events can be hidden`, {
        hideable: HIDEABLE_TYPES,
      });
    const e = await visibleEvent(db, meId, input.eventId);
    if (!e || e.event_type !== input.eventType) throw notFound('Event not found');
    if (String(e.user_id) === meId) throw badRequest('Only events of users you follow can be hidden');
    await hide(db, meId, input.eventId, new Date(this.p.clock.now()));
    return { hidden: true };
  }

  /** DELETE /timeline/hidden/:eventId: unhide (a no-op when it was not hidden). */
  async unhide(db: Db, meId: string, eventId: string): Promise<{ hidden: false }> {
    await unhide(db, meId, eventId);
    return { hidden: false };
  }

  /** PUT /timeline/approved/:userId (admins). */
  async approve(db: Db, admin: AuthUser, userId: string): Promise<ApprovedUser> {
    if (!admin.isAdmin) throw forbidden('Admins only');
    await this.requireUser(db, userId);
    await approve(db, userId, admin.id, new Date(this.p.clock.now()));
    const found = (await this.approved(db, admin)).find((u) => u.id === userId);
    if (!found) throw notFound('User not found');
    return found;
  }

  /** DELETE /timeline/approved/:userId (admins). */
  async unapprove(db: Db, admin: AuthUser, userId: string): Promise<void> {
    if (!admin.isAdmin) throw forbidden('Admins only');
    if (!(await unapprove(db, userId))) throw notFound('User is not approved');
  }

  /** GET /timeline/approved (admins). */
  async approved(db: Db, admin: AuthUser): Promise<ApprovedUser[]> {
    if (!admin.isAdmin) throw forbidden('Admins only');
    return (await approvedUsers(db)).map((r) => ({
      id: String(r.id),
      username: r.username,
      displayName: r.display_name,
      approvedAt: new Date(r.created_at).toISOString(),
    }));
  }
}
