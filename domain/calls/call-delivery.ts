/**
 * What the call actor's effects do (its CallPorts): rows, socket events (spec "Calls" server events,
 * to each participant's `user:<id>` room; voice channel events also to the space's room so its
 * members see who is in), pushes (spec "Push Behavior for Calls") and the LiveKit room.
 */
import type { Db } from '../../engine/db/index.ts';
import { room, type Rooms } from '../../engine/rooms.ts';
import type { CallPorts } from '../../actors/call/call.effects.ts';
import type { CallView } from '../../actors/call/call.events.ts';
import { profiles } from '../conversations/conversations.repository.ts';
import type { PushService } from '../devices/push.service.ts';
import { applyCallView } from './calls.repository.ts';
import { toCallDto } from './calls.schema.ts';
import type { Media } from './livekit.ts';

export interface CallDeliveryDeps {
  db: Db;
  rooms: Rooms;
  push: PushService;
  media: Media;
  /** Seconds a VoIP push stays deliverable: the ring timeout (spec: 60 s). */
  ringSeconds: number;
  /** Clear the conversation's pointer to this call (an actor send). */
  callEnded(conversationId: string, callId: string): Promise<void>;
}

async function render(db: Db, view: CallView) {
  return toCallDto(
    view,
    await profiles(
      db,
      view.participants.map((p) => p.userId),
    ),
  );
}

/** Everyone who is or was in the call, plus the voice channel's space room. */
function audience(view: CallView): string[] {
  const rooms = view.participants.map((p) => room.user(p.userId));
  if (view.type === 'voice_channel' && view.spaceId) rooms.push(room.space(view.spaceId));
  return rooms;
}

export function callDeliveryPorts(d: CallDeliveryDeps): CallPorts {
  return {
    async sync(view) {
      await applyCallView(d.db, view);
    },
    async ring(e, ctx) {
      const call = await render(d.db, e.view);
      for (const u of e.to)
        d.rooms.emit(room.user(u), 'call:ringing', { call, conversationId: e.view.conversationId });
      const caller = call.participants.find((p) => p.userId === e.view.initiatedBy);
      // Group calls show the group's name (when it has one) as the caller (spec).
      const callerName =
        e.view.isGroup && e.view.conversationName
          ? e.view.conversationName
          : (caller?.displayName ?? caller?.username ?? 'Unknown caller');
      await d.push.enqueue(
        {
          kind: 'call.incoming',
          userIds: e.to,
          callId: e.view.id,
          conversationId: e.view.conversationId ?? '',
          callerName,
          callerAvatarUrl: caller?.avatarUrl ?? null,
          ttlSeconds: d.ringSeconds,
        },
        `call:${ctx.effectId}`,
      );
    },
    async participant(e) {
      const call = await render(d.db, e.view);
      const event = `call:participant_${e.change}`;
      const payload =
        e.change === 'declined'
          ? { call, userId: e.userId }
          : { call, userId: e.userId, ...(e.view.channelId ? { channelId: e.view.channelId } : {}) };
      for (const r of audience(e.view)) d.rooms.emit(r, event, payload);
    },
    async elsewhere(e, ctx) {
      d.rooms.emit(room.user(e.userId), `call:${e.action}_elsewhere`, { callId: e.callId });
      if (e.action === 'answered')
        await d.push.enqueue(
          {
            kind: 'call.cancel',
            userIds: [e.userId],
            callId: e.callId,
            conversationId: null,
            reason: 'call_answered_elsewhere',
          },
          `call:${ctx.effectId}`,
        );
    },
    async ended(e, ctx) {
      const call = await render(d.db, e.view);
      const payload = {
        call,
        ...(e.view.conversationId ? { conversationId: e.view.conversationId } : {}),
        ...(e.view.channelId ? { channelId: e.view.channelId } : {}),
      };
      for (const r of audience(e.view)) d.rooms.emit(r, 'call:ended', payload);
      await d.push.enqueue(
        {
          kind: 'call.cancel',
          userIds: e.cancelRinging,
          callId: e.view.id,
          conversationId: e.view.conversationId,
          reason: 'call_ended',
        },
        `call:${ctx.effectId}`,
      );
      if (e.view.conversationId) await d.callEnded(e.view.conversationId, e.view.id);
      await d.media.deleteRoom(e.view.roomName);
    },
  };
}
