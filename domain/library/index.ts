/**
 * The library (issue 8): likes of posts, pages and users; pages (socialEnabled spaces) followed like
 * producer pages; user collections of posts.
 *
 *   const lib = createLibrary(engine, { notifier, posts: () => social.reader, pages: () => pages });
 *   social.hooks.onSpacePost.push(lib.pages.onSpacePost);
 *   await lib.library.like(db, userId, 'post', postId);
 */
import { CollectionsService } from './collections.service.ts';
import { LibraryService } from './library.service.ts';
import { PagesService } from './pages.service.ts';
import type { LibraryDeps, LibraryPorts } from './ports.ts';

export type { LibraryDeps, LibraryPorts, LibraryPosts, LibraryPages } from './ports.ts';
export type { LikeKind } from './tables.ts';
export type {
  UserSummary,
  LikedUser,
  LikedPage,
  PageDto,
  PageFollower,
  PageFollowStatus,
  LibraryCounts,
} from './library.schema.ts';
export type { CollectionDto, CollectionDetail, CollectionItemDto } from './collections.schema.ts';
export { LibraryService } from './library.service.ts';
export { PagesService } from './pages.service.ts';
export { CollectionsService } from './collections.service.ts';
export * as librarySchema from './library.schema.ts';
export * as collectionsSchema from './collections.schema.ts';

export interface Library {
  library: LibraryService;
  pages: PagesService;
  collections: CollectionsService;
}

export function createLibrary(ports: LibraryPorts, deps: LibraryDeps): Library {
  const collections = new CollectionsService(ports, deps);
  const library = new LibraryService(ports, deps, collections);
  return { library, pages: new PagesService(ports, deps, library), collections };
}
