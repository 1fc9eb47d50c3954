/**
 * The conversation actor (ARCHITECTURE "Actor runtime contract"): one per 1:1 or group DM. Pure:
 * its rules live in conversation.rules.ts; this machine applies them to every event and emits what
 * they say (effects, timers, the reply). No XState `after`: the write watchdog is a durable timer.
 */
import { enqueueActions, setup } from 'xstate';
import type { ConversationContext, ConversationEvent, ConversationInput } from './conversation.events.ts';
import { initialContext, reduce, type Emitted } from './conversation.rules.ts';

export const conversationMachine = setup({
  types: {
    context: {} as ConversationContext,
    events: {} as ConversationEvent,
    input: {} as ConversationInput,
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
  id: 'conversation',
  context: ({ input }) => initialContext(input),
  on: { '*': { actions: 'apply' } },
});

export const CONVERSATION_KIND = 'conversation';
