/**
 * The space actor (ARCHITECTURE "Actor runtime contract"): one per space. It owns what must be
 * consistent inside a space (membership, roles and their bitfields, channel overrides, bans, invite
 * uses) and the order of writes to its channels. Pure: the rules live in space.rules.ts; this machine
 * applies them to every event and emits what they say (effects, the reply).
 */
import { enqueueActions, setup } from 'xstate';
import type { SpaceContext, SpaceEvent } from './space.events.ts';
import { initialContext, reduce, type Emitted } from './space.rules.ts';

export const spaceMachine = setup({
  types: {
    context: {} as SpaceContext,
    events: {} as SpaceEvent,
    input: {} as { id: string },
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
  id: 'space',
  context: ({ input }) => initialContext(input.id),
  on: { '*': { actions: 'apply' } },
});

export const SPACE_KIND = 'space';
