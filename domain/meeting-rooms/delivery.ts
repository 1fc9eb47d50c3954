/**
 * What the meeting room actor's effects do (its MeetingRoomPorts): the projection row, socket events
 * (spec "Calendar" server events, to the space's room; personal rooms to the owner), the temporary
 * channel and the LiveKit room.
 */
import type { Db } from '../../engine/db/index.ts';
import { room, type Rooms } from '../../engine/rooms.ts';
import type { ActorRuntime } from '../../engine/actors/types.ts';
import type { MeetingRoomPorts } from '../../actors/meeting-room/meeting-room.effects.ts';
import {
  MEETING_ROOM_KIND,
  type MeetingRoomContext,
  type RoomTarget,
} from '../../actors/meeting-room/meeting-room.events.ts';
import type { TempChannels } from './channel.ts';
import { spaceInfo } from './events.port.ts';
import type { MeetingMedia } from './media.ts';
import { applyRoomView } from './meeting-rooms.repository.ts';

export interface DeliveryDeps {
  db: Db;
  rooms: Rooms;
  actors: ActorRuntime;
  media: MeetingMedia;
  channels: TempChannels;
  /** Is the user connected (realtime presence)? A silent member who is keeps their seat. */
  online(userId: string): Promise<boolean>;
}

function audience(t: RoomTarget): string | null {
  if (t.spaceId) return room.space(t.spaceId);
  if (t.ownerId) return room.user(t.ownerId);
  return null;
}

export function meetingRoomPorts(d: DeliveryDeps): MeetingRoomPorts {
  const owner = async (spaceId: string) => (await spaceInfo(d.db, { id: spaceId }))?.ownerId ?? null;
  return {
    async sync(view) {
      await applyRoomView(d.db, view);
    },
    async opened(e) {
      const s = e.view.session;
      const t = e.view.target;
      if (!s?.channelId || !t?.spaceId || !t.eventId) return;
      // A retried effect must not bring back the channel of a session that has closed since.
      const now = await d.actors.read<MeetingRoomContext>({ kind: MEETING_ROOM_KIND, id: e.view.id });
      if (now?.context.session?.channelId !== s.channelId) return;
      const ownerId = await owner(t.spaceId);
      if (ownerId) await d.channels.ensure(t.spaceId, ownerId, s.channelId, t.eventId);
    },
    async count(e) {
      const to = audience(e.target);
      if (to && e.target.eventId)
        d.rooms.emit(to, 'calendar:room_participant_changed', {
          eventId: e.target.eventId,
          participantCount: e.participantCount,
        });
    },
    async probe(e) {
      const address = { kind: MEETING_ROOM_KIND, id: e.roomId };
      for (const userId of e.userIds)
        await d.actors.send(address, {
          type: (await d.online(userId)) ? 'member.heartbeat' : 'member.leave',
          userId,
        });
    },
    async guest(e) {
      if (e.change === 'kicked') await d.media.removeParticipant(e.roomName, e.livekitIdentity);
      const to = audience(e.target);
      if (!to) return;
      const payload = {
        eventId: e.target.eventId,
        ...(e.target.voiceChannelId ? { channelId: e.target.voiceChannelId } : {}),
        guestId: e.guestId,
        displayName: e.displayName,
        ...(e.change === 'kicked' ? { kickedBy: e.kickedBy } : {}),
      };
      d.rooms.emit(to, `calendar:public_guest_${e.change}`, payload);
    },
    async closed(e) {
      const t = e.target;
      if (t.spaceId && e.session.channelId) {
        const ownerId = await owner(t.spaceId);
        if (ownerId) await d.channels.remove(t.spaceId, ownerId, e.session.channelId);
      }
      await d.media.deleteRoom(e.session.roomName);
      const to = audience(t);
      if (to && t.eventId) d.rooms.emit(to, 'calendar:room_closed', { eventId: t.eventId });
    },
  };
}
