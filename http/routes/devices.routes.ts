/** Spec "Push Notification Devices". */
import { RegisterDeviceInput } from '../../domain/devices/index.ts';
import { me, noContent } from '../context.ts';
import type { Router } from '../router.ts';
import { body, parse } from '../validate.ts';
import { str } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const Token = str(1, 4096);

export function registerDevicesRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { devices } = services.push;
  r.post('/devices/register', async (ctx) =>
    devices.register(db, me(ctx).id, body(ctx, RegisterDeviceInput)),
  );
  r.delete('/devices/:token', { body: 'json-or-empty' }, async (ctx) => {
    await devices.unregister(db, me(ctx).id, parse(Token, ctx.params.token, 'token'));
    return noContent();
  });
}
