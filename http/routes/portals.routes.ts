/** Spec "Portals". */
import * as v from 'valibot';
import { snowflake } from '../../domain/spaces/inputs.ts';
import { created, me } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const PortalInput = v.object({ channelId: snowflake, targetSpaceId: snowflake });

export function registerPortalsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { portals } = services.spaces;
  r.post('/spaces/:spaceId/portals', async (ctx) => {
    const b = body(ctx, PortalInput);
    return created(await portals.create(db, me(ctx).id, id(ctx, 'spaceId'), b.channelId, b.targetSpaceId));
  });
  r.post('/spaces/:spaceId/portal-invites', async (ctx) => {
    const b = body(ctx, PortalInput);
    return created(await portals.invite(db, me(ctx).id, id(ctx, 'spaceId'), b.channelId, b.targetSpaceId));
  });
  r.get('/spaces/:spaceId/portals', async (ctx) => portals.list(db, me(ctx).id, id(ctx, 'spaceId')));
  r.get('/spaces/:spaceId/portal-invites', async (ctx) =>
    portals.invites(db, me(ctx).id, id(ctx, 'spaceId')),
  );
  r.post('/spaces/:spaceId/portal-invites/:inviteId/accept', { body: 'json-or-empty' }, async (ctx) =>
    portals.decide(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'inviteId'), true),
  );
  r.post('/spaces/:spaceId/portal-invites/:inviteId/reject', { body: 'json-or-empty' }, async (ctx) =>
    portals.decide(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'inviteId'), false),
  );
  r.delete('/spaces/:spaceId/portals/:portalId', async (ctx) => {
    await portals.remove(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'portalId'));
  });
  r.get('/portals/eligible-spaces/:channelId', async (ctx) =>
    portals.eligible(db, me(ctx).id, id(ctx, 'channelId')),
  );
}
