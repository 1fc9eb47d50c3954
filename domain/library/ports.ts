/**
 * What the library needs from the engine and from other features (composition root:
 * http/wiring/timeline.ts). Posts and pages are the social feature's: who may see a post is its
 * visibility rule, what a page is its socialEnabled spaces.
 */
import type { Engine } from '../../engine/index.ts';
import type { Db } from '../../engine/db/index.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { PostDto, SpaceAuthor } from '../social/index.ts';

export type LibraryPorts = Pick<Engine, 'config' | 'clock' | 'ids' | 'log'>;

/** Posts as the viewer may see them (social's visibility rule). */
export interface LibraryPosts {
  /** The post, or 404 NOT_FOUND when it does not exist or the viewer may not see it. */
  get(db: Db, viewerId: string, postId: string): Promise<PostDto>;
  /** The posts among `postIds` the viewer may see, in the order of `postIds` (one query, not N). */
  many(db: Db, viewerId: string, postIds: readonly string[]): Promise<PostDto[]>;
}

/** Pages: spaces with socialEnabled. */
export interface LibraryPages {
  /** The page when the space exists and has socialEnabled, else null. */
  page(db: Db, spaceId: string): Promise<SpaceAuthor | null>;
  /** Display data of spaces (any state). */
  authors(db: Db, spaceIds: readonly string[]): Promise<Map<string, SpaceAuthor>>;
}

export interface LibraryDeps {
  notifier: Notifier;
  posts(): LibraryPosts;
  pages(): LibraryPages;
}
