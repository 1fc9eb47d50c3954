/**
 * LiveKit (spec "Calls"): an access token per participant with a room-join grant for `call_<id>`,
 * signed locally, handed out as `{ token, wsUrl }`; when LIVEKIT_URL is set the room is destroyed
 * through the RoomService API when the call ends.
 */
import { AccessToken, RoomServiceClient, TwirpError } from 'livekit-server-sdk';
import type { Config } from '../../engine/config.ts';

export interface CallToken {
  token: string;
  wsUrl: string;
}

export interface Media {
  token(roomName: string, user: { id: string; name: string }): Promise<CallToken>;
  /** Destroy the room (no-op without LIVEKIT_URL; a room that is already gone is fine). */
  deleteRoom(roomName: string): Promise<void>;
}

/** Tokens outlive a long call; a client reconnecting asks POST /calls/:id/token for a fresh one. */
const TOKEN_TTL = '6h';

export function createLiveKit(config: Config): Media {
  const rooms = config.LIVEKIT_URL
    ? new RoomServiceClient(config.LIVEKIT_URL, config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET)
    : null;
  return {
    async token(roomName, user) {
      const at = new AccessToken(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET, {
        identity: user.id,
        name: user.name,
        ttl: TOKEN_TTL,
      });
      at.addGrant({
        roomJoin: true,
        room: roomName,
        canPublish: true,
        canSubscribe: true,
        canPublishData: true,
      });
      return { token: await at.toJwt(), wsUrl: config.LIVEKIT_WS_URL };
    },
    async deleteRoom(roomName) {
      if (!rooms) return;
      try {
        await rooms.deleteRoom(roomName);
      } catch (err) {
        if (err instanceof TwirpError && err.status === 404) return;
        throw err;
      }
    },
  };
}
