/** Spec "Users", "Profile Links", "User Blocks" and user mutes. */
import { me } from '../context.ts';
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';

export function registerUsersRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { users } = services.accounts;
  const db = engine.db.db;

  r.get('/users/me', async (ctx) => users.getMe(db, me(ctx).id));
}
