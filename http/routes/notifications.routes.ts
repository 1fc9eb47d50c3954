/** Spec "Notifications"; social-graph-api "Notification Preferences" (subscriptions). */
import * as v from 'valibot';
import { SubscriptionsInput } from '../../domain/notifications/index.ts';
import { forbidden } from '../../engine/errors.ts';
import { me, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, limitParam, optionalSnowflakeParam, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const ListQuery = v.object({
  before: optionalSnowflakeParam,
  limit: limitParam(20, 100),
  unread: v.optional(v.picklist(['true', 'false', '1', '0'])),
});

export function registerNotificationsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { service, preferences } = services.notifications;
  const db = engine.db.db;

  r.get('/notifications', async (ctx) => {
    const q = query(ctx, ListQuery);
    return service.list(db, me(ctx).id, {
      before: q.before,
      limit: q.limit,
      unreadOnly: q.unread === 'true' || q.unread === '1',
    });
  });
  r.get('/notifications/unread-count', async (ctx) => service.unreadCount(db, me(ctx).id));
  r.put('/notifications/read-all', { body: 'json-or-empty' }, async (ctx) => service.readAll(db, me(ctx).id));
  r.put('/notifications/:id/read', { body: 'json-or-empty' }, async (ctx) =>
    service.read(db, me(ctx).id, id(ctx, 'id')),
  );

  /** `me` or the caller's own id (social-graph-api: "The backend resolves both forms"). */
  const self = (ctx: Ctx): string => {
    const user = me(ctx);
    const p = ctx.params['id'];
    if (p !== 'me' && p !== user.id) throw forbidden('You can only manage your own notification settings');
    return user.id;
  };
  r.get('/notifications/:id/subscriptions', async (ctx) =>
    preferences.get(db, self(ctx), { is_admin: me(ctx).isAdmin === true }),
  );
  r.put('/notifications/:id/subscriptions', async (ctx) =>
    preferences.update(db, self(ctx), body(ctx, SubscriptionsInput)),
  );
}
