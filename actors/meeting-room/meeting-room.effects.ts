/**
 * The meeting room actor's effects, bound to ports at the composition root. At least once, with a
 * stable effectId: the projection write is rev-guarded, channel creation and deletion tolerate
 * "already there" / "already gone", LiveKit removals of a missing room are fine.
 */
import { defineActorKind, type ActorEffect, type EffectContext } from '../../engine/actors/types.ts';
import { MEETING_ROOM_KIND, meetingRoomMachine } from './meeting-room.machine.ts';
import type { MeetingRoomEffect, MeetingRoomView } from './meeting-room.events.ts';

type Of<T extends MeetingRoomEffect['type']> = Extract<MeetingRoomEffect, { type: T }>;

export interface MeetingRoomPorts {
  sync(view: MeetingRoomView): Promise<void>;
  /** Create the temporary text channel unless the session is already over. */
  opened(effect: Of<'room.opened'>): Promise<void>;
  /** calendar:room_participant_changed. */
  count(effect: Of<'room.count'>): Promise<void>;
  /** Silent members: a heartbeat for those still online, a leave for the others. */
  probe(effect: Of<'room.probe'>): Promise<void>;
  /** calendar:public_guest_*; a kick also removes the guest from the LiveKit room. */
  guest(effect: Of<'room.guest'>): Promise<void>;
  /** calendar:room_closed, the temporary channel (and its messages) deleted, the LiveKit room destroyed. */
  closed(effect: Of<'room.closed'>): Promise<void>;
}

export function meetingRoomEffects(ports: MeetingRoomPorts) {
  return async (raw: ActorEffect, ctx: EffectContext): Promise<void> => {
    const effect = raw as unknown as MeetingRoomEffect;
    switch (effect.type) {
      case 'room.sync':
        return ports.sync(effect.view);
      case 'room.opened':
        return ports.opened(effect);
      case 'room.count':
        return ports.count(effect);
      case 'room.guest':
        return ports.guest(effect);
      case 'room.probe':
        return ports.probe(effect);
      case 'room.closed':
        return ports.closed(effect);
      default:
        ctx.log.warn({ effect: (raw as { type: string }).type }, 'unknown meeting room effect');
    }
  };
}

export function meetingRoomKind(ports: MeetingRoomPorts) {
  return defineActorKind({
    kind: MEETING_ROOM_KIND,
    machine: meetingRoomMachine,
    input: (id: string) => ({ id }),
    effects: meetingRoomEffects(ports),
  });
}
