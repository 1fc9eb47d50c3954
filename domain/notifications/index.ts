/**
 * The notifications feature (spec "Notifications"; social-graph-api "Notification Preferences").
 *
 *   const notifications = createNotifications(engine, { sender: push.sender });
 *   await notifications.notifier.notify(userId, 'post_comment', { postId, ... }, { actorId });
 *   notifications.service.resolvers.set('follow_request', resolver);   // actionable types
 */
import type { Engine } from '../../engine/index.ts';
import type { PushSender } from '../../engine/push/index.ts';
import { NotificationDelivery } from './delivery.ts';
import { NotificationsService, type Notifier } from './notifications.service.ts';
import { PreferencesService } from './preferences.service.ts';
import { dmRequestStatus, portalInviteStatus } from './resolvers.ts';

export type {
  Notifier,
  NotificationDto,
  NotifyItem,
  NotifyResult,
  NotifyOptions,
  ResolvedStatus,
  StatusResolver,
} from './notifications.service.ts';
export { NotificationsService } from './notifications.service.ts';
export { PreferencesService, SubscriptionsInput } from './preferences.service.ts';
export { NOTIFICATION_TYPES, type Channel, type Channels } from './catalog.ts';

export interface Notifications {
  notifier: Notifier;
  service: NotificationsService;
  preferences: PreferencesService;
}

export function createNotifications(engine: Engine, deps: { sender: PushSender }): Notifications {
  const db = engine.db.db;
  const delivery = new NotificationDelivery({
    db,
    jobs: engine.jobs,
    email: engine.email,
    sender: deps.sender,
    log: engine.log.child({ component: 'notifications' }),
    publicUrl: engine.config.PUBLIC_URL,
  });
  delivery.register();
  const preferences = new PreferencesService(engine.clock);
  const service = new NotificationsService(
    { db, ids: engine.ids, clock: engine.clock, rooms: engine.rooms },
    preferences,
    delivery,
  );
  service.resolvers.set('dm_request', dmRequestStatus);
  service.resolvers.set('portal_invite', portalInviteStatus);
  return { notifier: service, service, preferences };
}
