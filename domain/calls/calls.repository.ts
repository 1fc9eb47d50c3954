/** The calls projection (migration 20261125_0043_calls + 0044 rev). */
import type { Db } from '../../engine/db/index.ts';
import type { CallView } from '../../actors/call/call.events.ts';
import { roomNameOf } from '../../actors/call/call.events.ts';
import './tables.ts';

const d = (ms: number | null) => (ms === null ? null : new Date(ms));

/** Write the call and its participants as of `view.rev`; older or repeated writes are skipped. */
export async function applyCallView(db: Db, view: CallView): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('calls')
      .values({
        id: view.id,
        type: view.type,
        conversation_id: view.conversationId,
        channel_id: view.channelId,
        space_id: view.spaceId,
        room_name: view.roomName,
        initiated_by: view.initiatedBy,
        status: view.status,
        started_at: d(view.startedAt),
        ended_at: d(view.endedAt),
        rev: view.rev,
        created_at: new Date(view.createdAt),
      })
      .onConflict((oc) =>
        oc
          .column('id')
          .doUpdateSet({
            status: view.status,
            started_at: d(view.startedAt),
            ended_at: d(view.endedAt),
            rev: view.rev,
          })
          .where('calls.rev', '<', view.rev),
      )
      .returning('id')
      .executeTakeFirst();
    if (!row || view.participants.length === 0) return row !== undefined;
    await trx
      .insertInto('call_participants')
      .values(
        view.participants.map((p) => ({
          call_id: view.id,
          user_id: p.userId,
          status: p.status,
          joined_at: d(p.joinedAt),
          left_at: d(p.leftAt),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['call_id', 'user_id']).doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          joined_at: eb.ref('excluded.joined_at'),
          left_at: eb.ref('excluded.left_at'),
        })),
      )
      .execute();
    return true;
  });
}

/** The voice channel's live call (one per channel: a partial unique index). */
export async function liveChannelCall(db: Db, channelId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('calls')
    .select('id')
    .where('channel_id', '=', channelId)
    .where('status', '!=', 'ended')
    .executeTakeFirst();
  return row?.id;
}

/** Claim the channel's live call slot for a new call; false when another call holds it. */
export async function claimChannelCall(
  db: Db,
  c: { id: string; channelId: string; spaceId: string; by: string; now: Date },
): Promise<boolean> {
  try {
    await db
      .insertInto('calls')
      .values({
        id: c.id,
        type: 'voice_channel',
        conversation_id: null,
        channel_id: c.channelId,
        space_id: c.spaceId,
        room_name: roomNameOf(c.id),
        initiated_by: c.by,
        status: 'active',
        started_at: c.now,
        ended_at: null,
        rev: 0,
        created_at: c.now,
      })
      .execute();
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === '23505') return false;
    throw err;
  }
}

/** The actor says the call is over but the row does not know yet: free the channel's slot. */
export async function markEnded(db: Db, callId: string, at: Date): Promise<void> {
  await db
    .updateTable('calls')
    .set({ status: 'ended', ended_at: at })
    .where('id', '=', callId)
    .where('status', '!=', 'ended')
    .execute();
}
