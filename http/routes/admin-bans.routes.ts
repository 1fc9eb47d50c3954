/** Spec "Admin" / "Global App Bans": global admins only. */
import { BanInput } from '../../domain/accounts/users.schema.ts';
import { forbidden } from '../../engine/errors.ts';
import { created, me, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

function admin(ctx: Ctx): string {
  const user = me(ctx);
  if (!user.isAdmin) throw forbidden('Admin access required');
  return user.id;
}

export function registerAdminBansRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { bans } = services.accounts;
  const db = engine.db.db;

  r.get('/admin/bans', async (ctx) => {
    admin(ctx);
    return bans.list(db);
  });

  r.post('/admin/bans/:userId', async (ctx) => {
    const adminId = admin(ctx);
    const userId = id(ctx, 'userId');
    const input = body(ctx, BanInput);
    return created(await bans.ban(db, adminId, userId, input.reason ?? null));
  });

  r.delete('/admin/bans/:userId', async (ctx) => {
    admin(ctx);
    await bans.unban(db, id(ctx, 'userId'));
  });
}
