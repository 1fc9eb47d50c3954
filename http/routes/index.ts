/** Every route module, registered under /api. */
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';
import { registerSystemRoutes } from './system.routes.ts';
import { registerAuthRoutes } from './auth.routes.ts';
import { registerUsersRoutes } from './users.routes.ts';
import { registerMfaRoutes } from './mfa.routes.ts';
import { registerAdminBansRoutes } from './admin-bans.routes.ts';
import { registerConversationsRoutes } from './conversations.routes.ts';
import { registerCallsRoutes } from './calls.routes.ts';
import { registerDevicesRoutes } from './devices.routes.ts';
import { registerMessagesRoutes } from './messages.routes.ts';

export function registerRoutes(r: Router, deps: RouteDeps): void {
  registerSystemRoutes(r, deps);
  registerAuthRoutes(r, deps);
  registerUsersRoutes(r, deps);
  registerMfaRoutes(r, deps);
  registerAdminBansRoutes(r, deps);
  registerConversationsRoutes(r, deps);
  registerCallsRoutes(r, deps);
  registerDevicesRoutes(r, deps);
  registerMessagesRoutes(r, deps);
}
