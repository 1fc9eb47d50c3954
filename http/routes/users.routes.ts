/** Spec "Users", "Profile Links", "User Blocks" and user mutes. */
import {
  DeleteMeInput,
  PatchMeInput,
  PreferencesInput,
  ProfileLinkInput,
  ProfileLinkPatch,
  ReorderInput,
  SearchQuery,
} from '../../domain/accounts/users.schema.ts';
import { str } from '../../domain/accounts/auth.schema.ts';
import { badRequest, payloadTooLarge } from '../../engine/errors.ts';
import { created, me } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, parse, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

const Handle = str(1, 64);

export function registerUsersRoutes(r: Router, { engine, services }: RouteDeps): void {
  const { users, profiles, links, relations } = services.accounts;
  const db = engine.db.db;

  // ---- own account ----
  r.get('/users/me', async (ctx) => users.getMe(db, me(ctx).id));
  r.patch('/users/me', async (ctx) => users.patchMe(db, me(ctx).id, body(ctx, PatchMeInput)));
  r.delete('/users/me', async (ctx) => {
    await users.deleteMe(db, me(ctx).id, body(ctx, DeleteMeInput).password);
    return { success: true };
  });

  const avatarLimit = engine.config.AVATAR_MAX_BYTES;
  r.post(
    '/users/me/avatar',
    // The file limit is AVATAR_MAX_BYTES; the body may carry a little multipart framing on top.
    { body: 'multipart', maxFiles: 1, bodyLimit: avatarLimit + 64 * 1024 },
    async (ctx) => {
      const file = ctx.multipart?.files.find((f) => f.field === 'avatar');
      if (!file) throw badRequest('Multipart field "avatar" with an image file is required');
      if (file.data.length > avatarLimit) throw payloadTooLarge(`Avatar exceeds ${avatarLimit} bytes`);
      return users.uploadAvatar(db, me(ctx).id, file.data);
    },
  );

  r.get('/users/preferences', async (ctx) => users.getPreferences(db, me(ctx).id));
  r.put('/users/preferences', async (ctx) =>
    users.putPreferences(db, me(ctx).id, body(ctx, PreferencesInput)),
  );

  // ---- mutes ----
  r.get('/users/mutes', async (ctx) => relations.listMutes(db, me(ctx).id));
  r.put('/users/mutes/:userId', async (ctx) => relations.mute(db, me(ctx).id, id(ctx, 'userId')));
  r.delete('/users/mutes/:userId', async (ctx) => relations.unmute(db, me(ctx).id, id(ctx, 'userId')));

  // ---- blocks ----
  r.get('/users/blocks', async (ctx) => relations.listBlocks(db, me(ctx).id));
  r.put('/users/blocks/:userId', async (ctx) => relations.block(db, me(ctx).id, id(ctx, 'userId')));
  r.delete('/users/blocks/:userId', async (ctx) => relations.unblock(db, me(ctx).id, id(ctx, 'userId')));

  // ---- other users ----
  r.get('/users/search', async (ctx) => profiles.search(db, me(ctx).id, query(ctx, SearchQuery).q));
  r.get('/users/by-username/:username', async (ctx) =>
    profiles.getByUsername(db, me(ctx).id, parse(Handle, ctx.params['username'], 'username')),
  );
  r.get('/users/profiles/:handle', async (ctx) =>
    profiles.resolveHandle(db, me(ctx).id, parse(Handle, ctx.params['handle'], 'handle')),
  );
  r.get('/users/:userId', async (ctx) => profiles.getProfile(db, me(ctx).id, id(ctx, 'userId')));

  // ---- profile links ----
  r.get('/users/me/profile-links', async (ctx) => links.list(db, me(ctx).id));
  r.post('/users/me/profile-links', async (ctx) =>
    created(await links.create(db, me(ctx).id, body(ctx, ProfileLinkInput))),
  );
  r.put('/users/me/profile-links/reorder', async (ctx) =>
    links.reorder(db, me(ctx).id, body(ctx, ReorderInput).linkIds),
  );
  r.patch('/users/me/profile-links/:linkId', async (ctx) =>
    links.update(db, me(ctx).id, id(ctx, 'linkId'), body(ctx, ProfileLinkPatch)),
  );
  r.delete('/users/me/profile-links/:linkId', async (ctx) => links.remove(db, me(ctx).id, id(ctx, 'linkId')));
  r.get('/users/:userId/profile-links', async (ctx) => links.list(db, id(ctx, 'userId')));
}
