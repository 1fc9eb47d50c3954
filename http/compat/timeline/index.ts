/** /1/user/...: the shapes of spec/timeline-api.txt as a thin adapter over reef's services (issue 8). */
import type { Router } from '../../router.ts';
import type { RouteDeps } from '../../routes/deps.ts';

export function registerCompatTimelineRoutes(_r: Router, _deps: RouteDeps): void {}
