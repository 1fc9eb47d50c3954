/** Spec "Meeting Rooms", public meeting rooms, personal event rooms (issue 10). */
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';

export function registerMeetingRoomsRoutes(_r: Router, _deps: RouteDeps): void {}
