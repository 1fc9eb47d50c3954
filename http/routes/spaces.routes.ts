/**
 * Spec "Spaces", "Space Members", "Space Admin Settings", "Space Bans", "Space Member Settings",
 * "Space Tags", "Space Mutes", "Space Search", "Public Spaces Directory", "Roles", "Space Entry", and
 * the Users endpoints over spaces (`/users/muted-spaces`, `/users/me/managed-social-spaces`).
 */
import * as v from 'valibot';
import { badRequest, payloadTooLarge } from '../../engine/errors.ts';
import {
  AdminSettingsInput,
  BanBody,
  CreateRoleInput,
  CreateSpaceInput,
  DirectoryQuery,
  JoinInput,
  MemberSettingsInput,
  PatchRoleInput,
  PatchSpaceInput,
  RoleIdsInput,
  TagsInput,
} from '../../domain/spaces/spaces.schema.ts';
import { ICON_MAX_BYTES } from '../../domain/spaces/spaces.service.ts';
import { EnterQuery } from '../../domain/channels/channels.schema.ts';
import { SearchQuery } from '../../domain/messages/messages.schema.ts';
import { created, me } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, parse, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const Slug = v.pipe(v.string(), v.minLength(1), v.maxLength(64));

export function registerSpacesRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { spaces: svc, members, roles, settings, entry, messages } = services.spaces;

  // ---- spaces ----
  r.post('/spaces', async (ctx) => created(await svc.create(db, me(ctx).id, body(ctx, CreateSpaceInput))));
  r.get('/spaces', async (ctx) => svc.listMine(db, me(ctx).id));
  r.post('/spaces/join', async (ctx) => svc.joinByCode(db, me(ctx).id, body(ctx, JoinInput).code));
  r.get('/spaces/directory', async (ctx) => svc.directory(db, query(ctx, DirectoryQuery)));
  r.get('/spaces/directory/featured', async () => svc.featured(db));
  r.get('/spaces/directory/tags', async () => svc.directoryTags(db));
  r.get('/spaces/by-slug/:slug', { auth: 'none' }, async (ctx) =>
    svc.bySlug(db, parse(Slug, ctx.params['slug'], 'slug')),
  );
  r.get('/spaces/by-slug/:slug/embed', { auth: 'none' }, async (ctx) =>
    svc.bySlugEmbed(db, parse(Slug, ctx.params['slug'], 'slug')),
  );
  r.get('/spaces/:spaceId', async (ctx) => svc.get(db, me(ctx).id, id(ctx, 'spaceId')));
  r.get('/spaces/:spaceId/embed', async (ctx) => svc.embed(db, me(ctx).id, id(ctx, 'spaceId')));
  r.patch('/spaces/:spaceId', async (ctx) =>
    svc.update(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, PatchSpaceInput)),
  );
  r.post(
    '/spaces/:spaceId/icon',
    { body: 'multipart', maxFiles: 1, bodyLimit: ICON_MAX_BYTES + 64 * 1024 },
    async (ctx) => {
      const file = ctx.multipart?.files.find((f) => f.field === 'icon');
      if (!file) throw badRequest('Multipart field "icon" with an image file is required');
      if (file.data.length > ICON_MAX_BYTES) throw payloadTooLarge(`Icon exceeds ${ICON_MAX_BYTES} bytes`);
      return svc.uploadIcon(db, me(ctx).id, id(ctx, 'spaceId'), file);
    },
  );
  r.delete('/spaces/:spaceId', async (ctx) => {
    await svc.remove(me(ctx).id, id(ctx, 'spaceId'));
  });
  r.post('/spaces/:spaceId/join-public', { body: 'json-or-empty' }, async (ctx) =>
    svc.joinPublic(db, me(ctx).id, id(ctx, 'spaceId')),
  );
  r.post('/spaces/:spaceId/leave', { body: 'json-or-empty' }, async (ctx) =>
    svc.leave(me(ctx).id, id(ctx, 'spaceId')),
  );
  r.get('/spaces/:spaceId/enter', async (ctx) =>
    entry.enter(db, me(ctx).id, id(ctx, 'spaceId'), query(ctx, EnterQuery).channelId),
  );
  r.get('/spaces/:spaceId/search', async (ctx) =>
    messages.search(db, me(ctx).id, id(ctx, 'spaceId'), query(ctx, SearchQuery)),
  );

  // ---- members, roles of members, bans ----
  r.get('/spaces/:spaceId/members', async (ctx) => members.list(db, me(ctx).id, id(ctx, 'spaceId')));
  r.delete('/spaces/:spaceId/members/:userId', async (ctx) => {
    await members.kick(me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'userId'));
  });
  r.get('/spaces/:spaceId/members/:userId/roles', async (ctx) =>
    members.memberRoles(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'userId')),
  );
  r.put('/spaces/:spaceId/members/:userId/roles', async (ctx) =>
    members.setMemberRoles(
      db,
      me(ctx).id,
      id(ctx, 'spaceId'),
      id(ctx, 'userId'),
      body(ctx, RoleIdsInput).roleIds,
    ),
  );
  r.post('/spaces/:spaceId/bans/:userId', { body: 'json-or-empty' }, async (ctx) =>
    created(
      await members.ban(
        db,
        me(ctx).id,
        id(ctx, 'spaceId'),
        id(ctx, 'userId'),
        body(ctx, BanBody).reason ?? null,
      ),
    ),
  );
  r.delete('/spaces/:spaceId/bans/:userId', async (ctx) => {
    await members.unban(me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'userId'));
  });
  r.get('/spaces/:spaceId/bans', async (ctx) => members.bans(db, me(ctx).id, id(ctx, 'spaceId')));

  // ---- roles ----
  r.get('/spaces/:spaceId/roles', async (ctx) => roles.list(db, me(ctx).id, id(ctx, 'spaceId')));
  r.post('/spaces/:spaceId/roles', async (ctx) =>
    created(await roles.create(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, CreateRoleInput))),
  );
  r.patch('/spaces/:spaceId/roles/:roleId', async (ctx) =>
    roles.update(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'roleId'), body(ctx, PatchRoleInput)),
  );
  r.delete('/spaces/:spaceId/roles/:roleId', async (ctx) => {
    await roles.remove(me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'roleId'));
  });

  // ---- settings, tags, mutes ----
  r.get('/spaces/:spaceId/admin-settings', async (ctx) =>
    settings.adminSettings(db, me(ctx).id, id(ctx, 'spaceId')),
  );
  r.put('/spaces/:spaceId/admin-settings', async (ctx) =>
    settings.putAdminSettings(db, me(ctx), id(ctx, 'spaceId'), body(ctx, AdminSettingsInput)),
  );
  r.post('/spaces/:spaceId/admin-settings/rotate-webhook-secret', { body: 'json-or-empty' }, async (ctx) =>
    settings.rotateWebhookSecret(db, me(ctx).id, id(ctx, 'spaceId')),
  );
  r.get('/spaces/:spaceId/tags', async (ctx) => settings.tags(db, me(ctx).id, id(ctx, 'spaceId')));
  r.put('/spaces/:spaceId/tags', async (ctx) =>
    settings.putTags(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, TagsInput).tags),
  );
  r.get('/spaces/:spaceId/mute', async (ctx) => settings.isMuted(db, me(ctx).id, id(ctx, 'spaceId')));
  r.put('/spaces/:spaceId/mute', { body: 'json-or-empty' }, async (ctx) =>
    settings.setMuted(db, me(ctx).id, id(ctx, 'spaceId'), true),
  );
  r.delete('/spaces/:spaceId/mute', async (ctx) =>
    settings.setMuted(db, me(ctx).id, id(ctx, 'spaceId'), false),
  );
  r.get('/spaces/:spaceId/settings/me', async (ctx) =>
    settings.memberSettings(db, me(ctx).id, id(ctx, 'spaceId')),
  );
  r.put('/spaces/:spaceId/settings/me', async (ctx) =>
    settings.putMemberSettings(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, MemberSettingsInput)),
  );

  // ---- users over spaces ----
  r.get('/users/muted-spaces', async (ctx) => settings.mutedSpaces(db, me(ctx).id));
  r.get('/users/me/managed-social-spaces', async (ctx) => settings.managedSocialSpaces(db, me(ctx).id));
}
