/** Pages, library and timeline events in reef's own API (issue 8). */
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';

export function registerTimelineRoutes(_r: Router, _deps: RouteDeps): void {}
