/** Spec "Calendar", personal events, upcoming, public calendar + ICS (issue 10). */
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';

export function registerCalendarRoutes(_r: Router, _deps: RouteDeps): void {}
