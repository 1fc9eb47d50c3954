/**
 * Side effects of calendar changes (spec "Notifications": new_event, event_rsvp, event_cancelled,
 * event_organizer_needed; the space's auto-generated social post; `calendar:event_*` socket events).
 * Members who set muteAll or muteEvents in the space (spec "Space Member Settings") are not notified.
 */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import { room } from '../../engine/rooms.ts';
import { Permission } from '../spaces/index.ts';
import type { CalendarEventDto } from './calendar.presenter.ts';
import { attendees, holders, memberRecipients, type EventRow } from './events.repository.ts';
import type { CalendarPorts } from './ports.ts';

/** Notify each user, one failure logged and not blocking the others (the change is already stored). */
async function fanOut(
  p: CalendarPorts,
  users: string[],
  type: string,
  data: Record<string, unknown>,
  actorId: string | null,
): Promise<void> {
  const opts = actorId ? { actorId } : {};
  const BATCH = 50;
  for (let i = 0; i < users.length; i += BATCH)
    await Promise.all(
      users.slice(i, i + BATCH).map((u) =>
        p.notifier.notify(u, type, data, opts).catch((err: unknown) => {
          p.log.error({ err, userId: u, type }, 'calendar notification failed');
        }),
      ),
    );
}

async function spaceName(db: Db, spaceId: string): Promise<string | null> {
  const r = await db.selectFrom('spaces').select('name').where('id', '=', spaceId).executeTakeFirst();
  return r?.name ?? null;
}

/** Users who muted events in the space are left out of every calendar notification. */
async function withoutMuted(db: Db, spaceId: string, users: string[]): Promise<string[]> {
  if (users.length === 0) return users;
  const muted = await sql<{ user_id: string }>`
    select user_id from space_member_settings where space_id = ${spaceId}
      and (coalesce((settings->>'muteAll')::boolean, false) or coalesce((settings->>'muteEvents')::boolean, false))`.execute(
    db,
  );
  const m = new Set(muted.rows.map((r) => r.user_id));
  return users.filter((u) => !m.has(u));
}

function eventData(e: EventRow, name: string | null): Record<string, unknown> {
  return {
    eventId: e.id,
    eventName: e.name,
    eventDate: e.event_date,
    eventTime: e.event_time,
    spaceId: e.space_id,
    spaceName: name,
  };
}

export class CalendarEffects {
  constructor(private readonly p: CalendarPorts) {}

  /** new_event to every member but the creator. */
  async newEvent(db: Db, e: EventRow, creatorId: string): Promise<void> {
    const users = await memberRecipients(db, e.space_id, creatorId);
    await fanOut(this.p, users, 'new_event', eventData(e, await spaceName(db, e.space_id)), creatorId);
  }

  /** event_organizer_needed to every CLAIM_EVENTS holder but the one who caused it. */
  async organizerNeeded(db: Db, e: EventRow, actorId: string): Promise<void> {
    const users = await withoutMuted(
      db,
      e.space_id,
      await holders(db, e.space_id, Permission.CLAIM_EVENTS, actorId),
    );
    await fanOut(
      this.p,
      users,
      'event_organizer_needed',
      { ...eventData(e, await spaceName(db, e.space_id)), activityType: e.activity_type },
      actorId,
    );
  }

  /** event_cancelled to everyone who RSVP'd going or maybe (call before deleting the event). */
  async cancelled(db: Db, e: EventRow, actorId: string): Promise<void> {
    const users = await withoutMuted(
      db,
      e.space_id,
      (await attendees(db, e.id)).filter((u) => u !== actorId),
    );
    await fanOut(this.p, users, 'event_cancelled', eventData(e, await spaceName(db, e.space_id)), actorId);
  }

  /** event_rsvp to the event's creator, unless they RSVP'd themselves. */
  async rsvp(
    db: Db,
    e: EventRow,
    user: { id: string; username: string; displayName: string },
    status: string,
  ) {
    if (!e.created_by || e.created_by === user.id) return;
    const users = await withoutMuted(db, e.space_id, [e.created_by]);
    await fanOut(
      this.p,
      users,
      'event_rsvp',
      {
        ...eventData(e, await spaceName(db, e.space_id)),
        rsvpUserId: user.id,
        rsvpUsername: user.username,
        rsvpDisplayName: user.displayName,
        rsvpStatus: status,
      },
      user.id,
    );
  }

  /**
   * The auto-generated social post of a socialEnabled space (spec "Create an event" side effects):
   * authored on behalf of the space, always public, metadata { type: 'calendar_event', eventId, spaceId }.
   */
  async spacePost(db: Db, e: EventRow, authorId: string): Promise<void> {
    const s = await db
      .selectFrom('spaces')
      .select('settings')
      .where('id', '=', e.space_id)
      .executeTakeFirst();
    if (!s || (s.settings as Record<string, unknown>)['socialEnabled'] !== true) return;
    const when = e.event_time ? `${e.event_date} ${e.event_time}` : e.event_date;
    await db
      .insertInto('posts')
      .values({
        id: this.p.ids.next(),
        author_id: authorId,
        space_id: e.space_id,
        body: `📅 ${e.name} — ${when}${e.location ? ` · ${e.location}` : ''}`,
        visibility: 'public',
        repost_of_id: null,
        metadata: JSON.stringify({ type: 'calendar_event', eventId: e.id, spaceId: e.space_id }),
        created_at: new Date(this.p.clock.now()),
      })
      .execute();
  }

  /** `calendar:event_created` / `_updated` / `_deleted` to the space room (reef's own events). */
  emit(kind: 'created' | 'updated', event: CalendarEventDto): void;
  emit(kind: 'deleted', event: { id: string; spaceId: string; seriesId: string | null }): void;
  emit(kind: 'created' | 'updated' | 'deleted', event: { id: string; spaceId: string }): void {
    if (kind === 'deleted') {
      this.p.rooms.emit(room.space(event.spaceId), 'calendar:event_deleted', {
        eventId: event.id,
        spaceId: event.spaceId,
      });
      return;
    }
    // Per-viewer fields (myRsvp) are not sent: each member refetches them when they need them.
    this.p.rooms.emit(room.space(event.spaceId), `calendar:event_${kind}`, { ...event, myRsvp: undefined });
  }
}
