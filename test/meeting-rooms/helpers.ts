/**
 * Meeting room tests: events written straight into the calendar's table (this suite tests rooms, not
 * the calendar API), a clock pinned near noon UTC of today (so "today" and early entry are exact),
 * and LiveKit token decoding.
 */
import bcrypt from 'bcryptjs';
import type { Clock } from '../../engine/clock.ts';
import type { TestContext } from '../context.ts';
import type { TestSpace } from '../spaces/helpers.ts';

/** Real time moved to 12:00:00 UTC of today's date: timers still run at wall speed. */
export function noonClock(): Clock & { today: string } {
  const real = Date.now();
  const d = new Date(real);
  const noon = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 12);
  const offset = noon - real;
  return { now: () => Date.now() + offset, today: new Date(noon).toISOString().slice(0, 10) };
}

export const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

export interface EventFields {
  eventDate: string;
  eventTime?: string | null;
  earlyEntry?: number | null;
  meetingRoomEnabled?: boolean;
  publicAccess?: boolean;
  publicChat?: boolean;
  publicParticipation?: boolean;
  password?: string | null;
  identityMode?: 'anonymous' | 'email_verify' | 'require_login';
  name?: string;
}

export async function createEvent(t: TestContext, space: TestSpace, f: EventFields): Promise<string> {
  const id = t.reef.engine.ids.next();
  await t.reef.engine.db.db
    .insertInto('calendar_events')
    .values({
      id,
      space_id: space.id,
      name: f.name ?? `Meeting ${id}`,
      event_date: f.eventDate,
      event_time: f.eventTime ?? null,
      end_time: null,
      meeting_room_enabled: f.meetingRoomEnabled ?? true,
      meeting_room_early_entry: f.earlyEntry ?? null,
      meeting_public_access: f.publicAccess ?? false,
      meeting_public_chat: f.publicChat ?? false,
      meeting_public_participation: f.publicParticipation ?? false,
      meeting_room_password_hash: f.password ? await bcrypt.hash(f.password, 4) : null,
      meeting_identity_mode: f.identityMode ?? 'anonymous',
      created_by: space.owner.id,
    })
    .execute();
  return id;
}

/** The grants of a LiveKit access token (its JWT payload's `video`). */
export function grantsOf(token: string): Record<string, unknown> & { sub?: string } {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  return { ...payload.video, sub: payload.sub };
}
