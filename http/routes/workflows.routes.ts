/** Spec "Workflows" and "Webhooks (Incoming)" (issue 9). */
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';

export function registerWorkflowsRoutes(_r: Router, _deps: RouteDeps): void {}
