/**
 * Wiring of the workflows, commands, cards, incoming webhooks feature (issue 9): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';

export interface WorkflowsFeature {
  stop?(): Promise<void>;
}

export function createWorkflowsFeature(_engine: Engine, _services: () => Services): WorkflowsFeature {
  return {};
}
