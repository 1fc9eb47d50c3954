/**
 * Spec "Channels", "Channel Permission Overrides", "Channel Members (Private Channels)", "Channel
 * Mutes", "Unread Tracking", "Channel Categories".
 */
import {
  CategoryInput,
  CreateChannelInput,
  OverrideInput,
  PatchCategoryInput,
  PatchChannelInput,
  ReorderCategoriesInput,
  ReorderChannelsInput,
} from '../../domain/channels/channels.schema.ts';
import { ReadInput } from '../../domain/messages/messages.schema.ts';
import { created, me } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerChannelsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { channels, entry } = services.spaces;
  const S = '/spaces/:spaceId/channels';

  r.post(S, async (ctx) =>
    created(await channels.create(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, CreateChannelInput))),
  );
  r.get(S, async (ctx) => channels.list(db, me(ctx).id, id(ctx, 'spaceId')));
  r.put(`${S}/reorder`, async (ctx) =>
    channels.reorder(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, ReorderChannelsInput).channels),
  );
  r.get(`${S}/unreads`, async (ctx) => entry.unreads(db, me(ctx).id, id(ctx, 'spaceId')));
  r.get(`${S}/muted`, async (ctx) => channels.muted(db, me(ctx).id, id(ctx, 'spaceId')));
  r.patch(`${S}/:channelId`, async (ctx) =>
    channels.update(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), body(ctx, PatchChannelInput)),
  );
  r.delete(`${S}/:channelId`, async (ctx) => {
    await channels.remove(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'));
  });

  r.get(`${S}/:channelId/overrides`, async (ctx) =>
    channels.overrides(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId')),
  );
  r.put(`${S}/:channelId/overrides/:roleId`, async (ctx) => {
    const o = body(ctx, OverrideInput);
    return channels.setOverride(
      me(ctx).id,
      id(ctx, 'spaceId'),
      id(ctx, 'channelId'),
      id(ctx, 'roleId'),
      o.allow,
      o.deny,
    );
  });
  r.delete(`${S}/:channelId/overrides/:roleId`, async (ctx) => {
    await channels.deleteOverride(me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), id(ctx, 'roleId'));
  });

  r.get(`${S}/:channelId/members`, async (ctx) =>
    channels.members(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId')),
  );
  r.put(`${S}/:channelId/members/:userId`, { body: 'json-or-empty' }, async (ctx) =>
    channels.setMember(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), id(ctx, 'userId'), true),
  );
  r.delete(`${S}/:channelId/members/:userId`, async (ctx) =>
    channels.setMember(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), id(ctx, 'userId'), false),
  );

  r.put(`${S}/:channelId/mute`, { body: 'json-or-empty' }, async (ctx) =>
    channels.setMuted(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), true),
  );
  r.delete(`${S}/:channelId/mute`, async (ctx) =>
    channels.setMuted(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), false),
  );
  r.post(`${S}/:channelId/read`, async (ctx) =>
    entry.markRead(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), body(ctx, ReadInput).messageId),
  );

  const C = '/spaces/:spaceId/categories';
  r.get(C, async (ctx) => entry.categories(db, me(ctx).id, id(ctx, 'spaceId')));
  r.post(C, async (ctx) =>
    created(await entry.createCategory(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, CategoryInput).name)),
  );
  r.put(`${C}/reorder`, async (ctx) =>
    entry.reorderCategories(db, me(ctx).id, id(ctx, 'spaceId'), body(ctx, ReorderCategoriesInput).categories),
  );
  r.patch(`${C}/:categoryId`, async (ctx) =>
    entry.updateCategory(
      db,
      me(ctx).id,
      id(ctx, 'spaceId'),
      id(ctx, 'categoryId'),
      body(ctx, PatchCategoryInput),
    ),
  );
  r.delete(`${C}/:categoryId`, async (ctx) => {
    await entry.deleteCategory(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'categoryId'));
  });
}
