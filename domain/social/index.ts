/**
 * The social feature (spec "Follows", "User Posts"; social-graph-api follow and repost limits):
 * follows with approval, posts, feed and search, reposts, comments and reactions. Who may see a
 * post is decided in one place, visibility.ts.
 *
 *   const social = createSocial(engine, { notifier, canViewProfile, directory, spaces, share, collections });
 *   notifications.service.resolvers.set('follow_request', social.follows.resolveRequests);
 *   await social.reader.feed(db, userId, { limit: 10 });
 */
import { CommentsService } from './comments.service.ts';
import { PostReader } from './feed.service.ts';
import { FollowsService } from './follows.service.ts';
import type { PostHooks, SocialDeps, SocialPorts } from './ports.ts';
import { PostsService } from './posts.service.ts';

export type {
  SocialDeps,
  SocialPorts,
  SocialSpaces,
  SpaceAuthor,
  ShareTargets,
  CollectionItems,
  CollectionAttachment,
  PostHooks,
  SpacePostCreated,
} from './ports.ts';
export { noSocialSpaces, noShareTargets, noCollections } from './ports.ts';
export { createSpacesSocial } from './spaces-adapter.ts';
export * as visibility from './visibility.ts';
export type { PostDto } from './posts.schema.ts';
export type { CommentDto } from './comments.service.ts';
export * as schema from './schemas.ts';

export interface Social {
  follows: FollowsService;
  reader: PostReader;
  posts: PostsService;
  comments: CommentsService;
  /** Listeners of other features (e.g. `hooks.onSpacePost.push(...)`). */
  hooks: PostHooks;
}

export function createSocial(ports: SocialPorts, deps: SocialDeps): Social {
  const reader = new PostReader(deps);
  const hooks: PostHooks = { onSpacePost: [] };
  return {
    follows: new FollowsService(ports, deps),
    reader,
    hooks,
    posts: new PostsService(ports, deps, reader, hooks),
    comments: new CommentsService(ports, deps, reader),
  };
}
