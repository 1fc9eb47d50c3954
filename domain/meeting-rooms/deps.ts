/** What the meeting room services are built on (bound at http/wiring/meeting-rooms.ts). */
import type { Db } from '../../engine/db/index.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Ids } from '../../engine/ids.ts';
import type { Logger } from '../../engine/log.ts';
import type { EmailService } from '../../engine/index.ts';
import type { ActorRuntime } from '../../engine/actors/types.ts';
import {
  MEETING_ROOM_KIND,
  type MeetingRoomContext,
  type MeetingRoomEvent,
  type MeetingRoomView,
} from '../../actors/meeting-room/meeting-room.events.ts';
import { view } from '../../actors/meeting-room/meeting-room.rules.ts';
import type { TempChannels } from './channel.ts';
import type { MeetingEventLookup } from './events.port.ts';
import type { MeetingMedia } from './media.ts';
import { applyRoomView } from './meeting-rooms.repository.ts';

export interface MeetingDeps {
  db: Db;
  ids: Ids;
  clock: Clock;
  log: Logger;
  actors: ActorRuntime;
  media: MeetingMedia;
  channels: TempChannels;
  email: EmailService;
  events: () => MeetingEventLookup;
  ttlMs: number;
  defaultEarly: number;
  publicUrl: string;
  verifyTtlMs: number;
}

export type RoomEventBody = MeetingRoomEvent extends infer E
  ? E extends { at: number }
    ? Omit<E, 'at'>
    : never
  : never;

export const roomId = {
  event: (eventId: string) => `e${eventId}`,
  personal: (eventId: string) => `p${eventId}`,
  voice: (channelId: string) => `v${channelId}`,
};

/** Talk to a room actor and bring its projection row up to date for the caller. */
export class RoomActors {
  constructor(private readonly d: MeetingDeps) {}

  async ask<R extends MeetingRoomView>(id: string, event: RoomEventBody): Promise<R> {
    const r = await this.d.actors.ask<R>({ kind: MEETING_ROOM_KIND, id }, event);
    if (r && typeof r === 'object' && 'rev' in r)
      await applyRoomView(this.d.db, r).catch((err: unknown) =>
        this.d.log.warn(
          { room: id, err: (err as Error).message },
          'meeting room projection deferred to the outbox',
        ),
      );
    return r;
  }

  async read(id: string): Promise<MeetingRoomView | null> {
    const s = await this.d.actors.read<MeetingRoomContext>({ kind: MEETING_ROOM_KIND, id });
    return s ? view(s.context) : null;
  }
}
