/**
 * LiveKit for meeting rooms: tokens whose grants follow the room's public flags (a guest may publish
 * mic/camera only with meetingPublicParticipation, send chat data only with meetingPublicChat),
 * removing a kicked guest, destroying a closed room. Room operations go to LIVEKIT_URL when set.
 */
import { AccessToken, RoomServiceClient, TwirpError } from 'livekit-server-sdk';
import type { Config } from '../../engine/config.ts';

export interface MeetingToken {
  token: string;
  wsUrl: string;
}

export interface MeetingMedia {
  token(
    roomName: string,
    who: { identity: string; name: string },
    grants: { publish: boolean; data: boolean },
  ): Promise<MeetingToken>;
  removeParticipant(roomName: string, identity: string): Promise<void>;
  deleteRoom(roomName: string): Promise<void>;
}

const TOKEN_TTL = '6h';
const gone = (err: unknown) => err instanceof TwirpError && err.status === 404;

export function createMeetingMedia(config: Config): MeetingMedia {
  const rooms = config.LIVEKIT_URL
    ? new RoomServiceClient(config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET)
    : null;
  return {
    async token(roomName, who, grants) {
      const at = new AccessToken(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, {
        identity: who.identity,
        name: who.name,
        ttl: TOKEN_TTL,
      });
      at.addGrant({
        roomJoin: true,
        room: roomName,
        canSubscribe: true,
        canPublish: grants.publish,
        canPublishData: grants.data,
      });
      return { token: await at.toJwt(), wsUrl: config.LIVEKIT_WS_URL };
    },
    async removeParticipant(roomName, identity) {
      if (!rooms) return;
      try {
        await rooms.removeParticipant(roomName, identity);
      } catch (err) {
        if (!gone(err)) throw err;
      }
    },
    async deleteRoom(roomName) {
      if (!rooms) return;
      try {
        await rooms.deleteRoom(roomName);
      } catch (err) {
        if (!gone(err)) throw err;
      }
    },
  };
}
