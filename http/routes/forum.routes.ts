/** Spec "Forum Threads". */
import {
  PostInput,
  PostListQuery,
  ThreadInput,
  ThreadListQuery,
  ThreadPatch,
} from '../../domain/messages/messages.schema.ts';
import { created, me } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerForumRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { forum } = services.spaces;
  const T = '/spaces/:spaceId/channels/:channelId/threads';
  r.get(T, async (ctx) =>
    forum.list(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), query(ctx, ThreadListQuery)),
  );
  r.post(T, async (ctx) =>
    created(
      await forum.create(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), body(ctx, ThreadInput)),
    ),
  );
  r.get(`${T}/:threadId`, async (ctx) =>
    forum.get(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), id(ctx, 'threadId')),
  );
  r.patch(`${T}/:threadId`, async (ctx) =>
    forum.update(
      db,
      me(ctx).id,
      id(ctx, 'spaceId'),
      id(ctx, 'channelId'),
      id(ctx, 'threadId'),
      body(ctx, ThreadPatch),
    ),
  );
  r.delete(`${T}/:threadId`, async (ctx) => {
    await forum.remove(db, me(ctx).id, id(ctx, 'spaceId'), id(ctx, 'channelId'), id(ctx, 'threadId'));
  });
  r.get(`${T}/:threadId/posts`, async (ctx) =>
    forum.posts(
      db,
      me(ctx).id,
      id(ctx, 'spaceId'),
      id(ctx, 'channelId'),
      id(ctx, 'threadId'),
      query(ctx, PostListQuery),
    ),
  );
  r.post(`${T}/:threadId/posts`, async (ctx) =>
    created(
      await forum.post(
        db,
        me(ctx).id,
        id(ctx, 'spaceId'),
        id(ctx, 'channelId'),
        id(ctx, 'threadId'),
        body(ctx, PostInput),
      ),
    ),
  );
}
