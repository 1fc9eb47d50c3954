/** Spec "Invites". Joining by code is POST /spaces/join (spaces.routes.ts). */
import * as v from 'valibot';
import { InviteInput } from '../../domain/spaces/spaces.schema.ts';
import { created, me } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, parse } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const Code = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

export function registerInvitesRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { roles } = services.spaces;
  r.get('/spaces/invites/:code/preview', { auth: 'none' }, async (ctx) =>
    roles.preview(db, parse(Code, ctx.params['code'], 'code')),
  );
  r.post('/spaces/:spaceId/invites', { body: 'json-or-empty' }, async (ctx) =>
    created(await roles.createInvite(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, InviteInput))),
  );
  r.get('/spaces/:spaceId/invites', async (ctx) => roles.listInvites(db, me(ctx).id, id(ctx, 'spaceId')));
  r.delete('/spaces/:spaceId/invites/:inviteId', async (ctx) => {
    await roles.deleteInvite(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'inviteId'));
  });
}
