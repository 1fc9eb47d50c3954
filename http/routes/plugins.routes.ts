/** GET /plugins, /spaces/:spaceId/plugins (issue 9). */
import { me } from '../context.ts';
import type { Router } from '../router.ts';
import { id } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerPluginsRoutes(r: Router, { services }: RouteDeps): void {
  const { plugins } = services;
  r.get('/plugins', async () => plugins.list());
  r.get('/spaces/:spaceId/plugins', async (ctx) => plugins.spacePlugins(me(ctx).id, id(ctx, 'spaceId')));
  r.put('/spaces/:spaceId/plugins', async (ctx) =>
    plugins.setSpacePlugins(me(ctx).id, id(ctx, 'spaceId'), ctx.body ?? {}),
  );
}
