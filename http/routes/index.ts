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
import { registerSpacesRoutes } from './spaces.routes.ts';
import { registerInvitesRoutes } from './invites.routes.ts';
import { registerChannelsRoutes } from './channels.routes.ts';
import { registerSpaceMessagesRoutes } from './space-messages.routes.ts';
import { registerReportsRoutes } from './reports.routes.ts';
import { registerForumRoutes } from './forum.routes.ts';
import { registerPortalsRoutes } from './portals.routes.ts';
import { registerFollowsRoutes } from './follows.routes.ts';
import { registerPostsRoutes } from './posts.routes.ts';
import { registerNotificationsRoutes } from './notifications.routes.ts';
import { registerTimelineRoutes } from './timeline.routes.ts';
import { registerPluginsRoutes } from './plugins.routes.ts';
import { registerWorkflowsRoutes } from './workflows.routes.ts';
import { registerCalendarRoutes } from './calendar.routes.ts';
import { registerMeetingRoomsRoutes } from './meeting-rooms.routes.ts';
import { registerCompatV1Routes } from '../compat/v1/index.ts';
import { registerCompatTimelineRoutes } from '../compat/timeline/index.ts';

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
  registerSpacesRoutes(r, deps);
  registerInvitesRoutes(r, deps);
  registerChannelsRoutes(r, deps);
  registerSpaceMessagesRoutes(r, deps);
  registerReportsRoutes(r, deps);
  registerForumRoutes(r, deps);
  registerPortalsRoutes(r, deps);
  registerFollowsRoutes(r, deps);
  registerPostsRoutes(r, deps);
  registerNotificationsRoutes(r, deps);
  registerTimelineRoutes(r, deps);
  registerPluginsRoutes(r, deps);
  registerWorkflowsRoutes(r, deps);
  registerCalendarRoutes(r, deps);
  registerMeetingRoomsRoutes(r, deps);
  registerCompatV1Routes(r.scope('/v1'), deps);
}

/** Routes outside /api: the timeline-api compatibility surface at /1/user/... */
export function registerRootRoutes(root: Router, deps: RouteDeps): void {
  registerCompatTimelineRoutes(root.scope('/1'), deps);
}
