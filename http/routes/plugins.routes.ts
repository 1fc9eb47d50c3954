/** GET /plugins, /spaces/:spaceId/plugins (issue 9). */
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';

export function registerPluginsRoutes(_r: Router, _deps: RouteDeps): void {}
