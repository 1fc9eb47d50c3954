/** Queries of the meeting room tables: the actor's projection, invites, email verifications. */
import { sql } from 'kysely';
import type { Db } from '../../engine/db/index.ts';
import type { MeetingRoomView } from '../../actors/meeting-room/meeting-room.events.ts';

/** Write the projection row as of `view.rev` (older revisions never overwrite newer ones). */
export async function applyRoomView(db: Db, v: MeetingRoomView): Promise<void> {
  const t = v.target;
  if (!t) return;
  const row = {
    id: v.id,
    kind: t.kind,
    space_id: t.spaceId,
    event_id: t.eventId,
    voice_channel_id: t.voiceChannelId,
    owner_id: t.ownerId,
    status: v.status,
    call_id: v.session?.callId ?? null,
    room_name: v.session?.roomName ?? null,
    channel_id: v.session?.channelId ?? null,
    participant_count: v.participantCount,
    member_ids: JSON.stringify(v.members.map((m) => m.userId)),
    opened_at: v.session ? new Date(v.session.openedAt) : null,
    rev: v.rev,
    updated_at: new Date(),
  };
  const { id: _id, ...update } = row;
  await db
    .insertInto('meeting_rooms')
    .values(row)
    .onConflict((oc) => oc.column('id').doUpdateSet(update).where('meeting_rooms.rev', '<', v.rev))
    .execute();
}

export function openRoomsOfSpace(db: Db, spaceId: string) {
  return db
    .selectFrom('meeting_rooms')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where('kind', '=', 'event')
    .where('status', '=', 'open')
    .orderBy('opened_at')
    .execute();
}

export function myOpenRoom(db: Db, spaceId: string, userId: string) {
  return db
    .selectFrom('meeting_rooms')
    .selectAll()
    .where('space_id', '=', spaceId)
    .where('kind', '=', 'event')
    .where('status', '=', 'open')
    .where(sql<boolean>`member_ids @> ${JSON.stringify([userId])}::jsonb`)
    .executeTakeFirst();
}

export function roomRow(db: Db, id: string) {
  return db.selectFrom('meeting_rooms').selectAll().where('id', '=', id).executeTakeFirst();
}

// ---- invites ----

export function listInvites(db: Db, eventId: string) {
  return db.selectFrom('meeting_invites').selectAll().where('event_id', '=', eventId).orderBy('id').execute();
}

export function inviteByToken(db: Db, token: string) {
  return db.selectFrom('meeting_invites').selectAll().where('token', '=', token).executeTakeFirst();
}

/** Count one use if the invite is still valid; null when it is used up or expired. */
export async function useInvite(db: Db, token: string, eventId: string, now: Date) {
  return db
    .updateTable('meeting_invites')
    .set((eb) => ({ use_count: eb('use_count', '+', 1) }))
    .where('token', '=', token)
    .where('event_id', '=', eventId)
    .where((eb) => eb.or([eb('max_uses', 'is', null), eb('use_count', '<', eb.ref('max_uses'))]))
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .returningAll()
    .executeTakeFirst();
}

/** Give a use back (the join it was counted for was refused). */
export async function unuseInvite(db: Db, id: string): Promise<void> {
  await db
    .updateTable('meeting_invites')
    .set((eb) => ({ use_count: eb('use_count', '-', 1) }))
    .where('id', '=', id)
    .where('use_count', '>', 0)
    .execute();
}

// ---- email verifications ----

export function verificationByHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('meeting_email_verifications')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}
