/**
 * /api/v1: the shapes of spec/social-graph-api.txt as a thin adapter over reef's services (issue 8).
 * Mapping: `{user}` = reef user id (or `me`); artist = page (a space with socialEnabled); track =
 * post; album and playlist = user collection. Errors keep reef's `{ "error": { code, message } }`.
 */
import type { Router } from '../../router.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import { registerDeviceRoutes } from './devices.ts';
import { registerLibraryRoutes } from './library.ts';
import { registerRepostRoutes } from './reposts.ts';
import { registerUserRoutes } from './users.ts';

export function registerCompatV1Routes(r: Router, deps: RouteDeps): void {
  registerUserRoutes(r, deps);
  registerRepostRoutes(r, deps);
  registerLibraryRoutes(r, deps);
  registerDeviceRoutes(r, deps);
}
