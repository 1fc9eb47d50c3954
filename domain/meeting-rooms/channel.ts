/**
 * The temporary text channel of a meeting room (spec "Meeting Rooms"): created through the space
 * actor on behalf of the space's owner (the room is the space's, not the joining member's: members
 * without MANAGE_CHANNELS open rooms too), deleted with its messages when the room closes.
 */
import { AppError } from '../../engine/errors.ts';
import type { SpaceClient } from '../../actors/space/space.client.ts';

export interface TempChannels {
  ensure(spaceId: string, ownerId: string, channelId: string, eventId: string): Promise<void>;
  remove(spaceId: string, ownerId: string, channelId: string): Promise<void>;
}

const is = (err: unknown, code: string) => err instanceof AppError && err.code === code;

export function tempChannels(client: () => SpaceClient): TempChannels {
  return {
    async ensure(spaceId, ownerId, channelId, eventId) {
      try {
        await client().ask(spaceId, {
          type: 'channel.create',
          by: ownerId,
          channelId,
          channelType: 'text',
          isPrivate: false,
          memberIds: [],
          roleOverrides: [],
          row: {
            name: `meeting-${eventId}`,
            topic: 'Meeting room chat (deleted when the meeting room closes)',
            isPublic: false,
            categoryId: null,
            position: 100_000,
            voice: {},
            voicePasswordHash: null,
          },
        });
      } catch (err) {
        if (!is(err, 'CONFLICT')) throw err;
      }
    },
    async remove(spaceId, ownerId, channelId) {
      try {
        await client().ask(spaceId, { type: 'channel.delete', by: ownerId, channelId });
      } catch (err) {
        if (!is(err, 'NOT_FOUND')) throw err;
      }
    },
  };
}
