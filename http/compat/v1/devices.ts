/**
 * social-graph-api "Notification Preferences" (reef's notification preferences, same service as
 * /api/notifications/:id/subscriptions) and "FCM Device Tokens" (reef's push devices).
 */
import * as v from 'valibot';
import { SubscriptionsInput } from '../../../domain/notifications/index.ts';
import { forbidden } from '../../../engine/errors.ts';
import { me, type Ctx } from '../../context.ts';
import type { RouteDeps } from '../../routes/deps.ts';
import type { Router } from '../../router.ts';
import { body, str } from '../../validate.ts';

const FcmToken = v.object({
  token: str(1, 4096),
  platform: v.optional(v.picklist(['web', 'android', 'ios'], 'must be web, android or ios'), 'web'),
  device_name: v.optional(v.nullable(str(0, 512))),
});
const FcmTokenDelete = v.object({ token: str(1, 4096) });

export function registerDeviceRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { preferences } = services.notifications;
  const { devices } = services.push;

  /** `me` or the caller's own numeric id ("The backend resolves both forms"). */
  const self = (ctx: Ctx): string => {
    const user = me(ctx);
    const p = ctx.params['user'];
    if (p !== 'me' && p !== user.id) throw forbidden('You can only manage your own notification settings');
    return user.id;
  };
  r.get('/notifications/:user/subscriptions', async (ctx) => {
    const id = self(ctx);
    return preferences.get(db, id, { is_artist: false, is_verified_artist: false });
  });
  r.put('/notifications/:user/subscriptions', async (ctx) =>
    preferences.update(db, self(ctx), body(ctx, SubscriptionsInput)),
  );

  // Every token here is an FCM registration token, whatever the client platform: web tokens are
  // reef's 'web' kind, and Android or an iOS app using the Firebase SDK the FCM-delivered 'android'
  // kind (an FCM token must never go to APNs).
  r.post('/fcm-tokens', async (ctx) => {
    const input = body(ctx, FcmToken);
    await devices.register(db, me(ctx).id, {
      token: input.token,
      platform: input.platform === 'web' ? 'web' : 'android',
      tokenType: 'standard',
      appVersion: null,
    });
    return { status: 'ok' };
  });
  r.delete('/fcm-tokens', async (ctx) => {
    await devices.unregister(db, me(ctx).id, body(ctx, FcmTokenDelete).token);
    return { status: 'ok' };
  });
}
