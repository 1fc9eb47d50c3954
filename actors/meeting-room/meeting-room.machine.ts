/**
 * The meeting room actor: one per room target (space event, personal event, public voice channel).
 * Pure: the rules live in meeting-room.rules.ts; this machine applies them to each event.
 */
import { enqueueActions, setup } from 'xstate';
import type { MeetingRoomContext, MeetingRoomEvent, MeetingRoomInput } from './meeting-room.events.ts';
import { initialContext, reduce, type Emitted } from './meeting-room.rules.ts';

export const meetingRoomMachine = setup({
  types: {
    context: {} as MeetingRoomContext,
    events: {} as MeetingRoomEvent,
    input: {} as MeetingRoomInput,
    emitted: {} as Emitted,
  },
  actions: {
    apply: enqueueActions(({ context, event, enqueue }) => {
      const step = reduce(context, event);
      if (step.context !== context) enqueue.assign(step.context);
      for (const e of step.emits) enqueue.emit(e);
    }),
  },
}).createMachine({
  id: 'meeting-room',
  context: ({ input }) => initialContext(input),
  on: { '*': { actions: 'apply' } },
});

export { MEETING_ROOM_KIND } from './meeting-room.events.ts';
