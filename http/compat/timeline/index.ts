/**
 * /1/user/...: the shapes of spec/timeline-api.txt as a thin adapter over reef's services (issue 8).
 * `:userName` is a reef username; `Authorization: Token <access token>` works as well as Bearer.
 */
import type { Router } from '../../router.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import { registerEventRoutes } from './events.ts';
import { registerFollowRoutes } from './follows.ts';
import { registerListenRoutes } from './listens.ts';

export function registerCompatTimelineRoutes(r: Router, deps: RouteDeps): void {
  registerFollowRoutes(r, deps);
  registerEventRoutes(r, deps);
  registerListenRoutes(r, deps);
}
