/**
 * XState's pure `transition(machine, snapshot, event)` without its per-call cost. In xstate@5.33,
 * `transition()` builds a fresh inert actor on every call (whose constructor computes the machine's
 * whole initial snapshot) plus two actor systems: 30–80 µs for a small machine, most of an ask's CPU.
 * This keeps one inert scope per machine and calls the machine's own `transition` with it. The scope
 * is as inert as XState's: `actionExecutor` only collects actions (nothing is executed, no delay is
 * scheduled), `defer`, `emit` and `stopChild` do nothing. Same snapshot and same action list as
 * `transition()`, checked by engine/actors/transition.test.ts.
 */
import {
  createActor,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventObject,
  type ExecutableActionObject,
} from 'xstate';

export type PureTransition = (
  snapshot: AnyMachineSnapshot,
  event: EventObject,
) => [next: AnyMachineSnapshot, actions: ExecutableActionObject[]];

export function pureTransition(machine: AnyStateMachine): PureTransition {
  // `self` for actions that reference it; never started, so it never runs anything.
  const self = createActor(machine);
  let collected: ExecutableActionObject[] = [];
  const noop = () => undefined;
  const scope = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: noop,
    defer: noop,
    emit: noop,
    stopChild: noop,
    actionExecutor: (action: ExecutableActionObject) => {
      collected.push(action);
    },
  } as unknown as AnyActorScope;
  return (snapshot, event) => {
    collected = [];
    const next = machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
    return [next, collected];
  };
}
