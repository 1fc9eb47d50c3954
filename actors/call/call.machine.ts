/**
 * The call actor: one per call (DM, group DM or voice channel session). Pure: the rules live in
 * call.rules.ts; this machine applies them to each event and emits what they say.
 */
import { enqueueActions, setup } from 'xstate';
import type { CallContext, CallEvent, CallInput } from './call.events.ts';
import { initialContext, reduce, type Emitted } from './call.rules.ts';

export const callMachine = setup({
  types: {
    context: {} as CallContext,
    events: {} as CallEvent,
    input: {} as CallInput,
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
  id: 'call',
  context: ({ input }) => initialContext(input),
  on: { '*': { actions: 'apply' } },
});

export const CALL_KIND = 'call';
