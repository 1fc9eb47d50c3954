/**
 * Wiring of the pages, library and timeline events feature (issue 8): builds its service on the engine and the services built before it.
 * Owned by that feature; http/services.ts only calls the factory and stops it.
 *
 * The compatibility surfaces (http/compat/v1, http/compat/timeline) are thin adapters over these
 * same services: `services.timeline.pages.follow(db, userId, spaceId)`, `.library.like(...)`,
 * `.collections.create(...)`, `.events.feed(...)`, `.events.user(db, { username })`.
 */
import type { Engine } from '../../engine/index.ts';
import type { Services } from '../services.ts';
import {
  createLibrary,
  type CollectionsService,
  type LibraryService,
  type PagesService,
} from '../../domain/library/index.ts';
import { createTimeline, type TimelineEventsService } from '../../domain/timeline/index.ts';
import { createSpacesSocial, visibility, type PostDto } from '../../domain/social/index.ts';

export interface TimelineFeature {
  /** Likes of posts, pages and users; liked lists; counts (limit LIBRARY_MAX_ITEMS). */
  library: LibraryService;
  /** Pages (socialEnabled spaces): follow = like, status, followers; new_upload on a page post. */
  pages: PagesService;
  /** User collections: ordered posts, featured, recommendations, plays. */
  collections: CollectionsService;
  /** Timeline events: create, feed, user events, hide / unhide, delete, approved users. */
  events: TimelineEventsService;
  stop?(): Promise<void>;
}

export function createTimelineFeature(engine: Engine, services: () => Services): TimelineFeature {
  const notifier = (): Services['notifier'] => services().notifier;
  // Services are finished after this factory returns: every port reads them lazily.
  const socialSpaces = createSpacesSocial(() => services().spaces.settings);
  const lib = createLibrary(engine, {
    notifier: { notify: (...a) => notifier().notify(...a) },
    posts: () => ({
      get: (db, viewerId, postId) => services().social.reader.get(db, viewerId, postId),
      async many(db, viewerId, postIds) {
        if (postIds.length === 0) return [];
        // social's own visibility expression decides; its presenter shapes the DTOs.
        const rows = await visibility
          .visiblePosts(db, viewerId)
          .selectAll('p')
          .where('p.id', 'in', [...postIds])
          .execute();
        const byId = new Map(
          (await services().social.reader.present(db, viewerId, rows)).map((d) => [d.id, d]),
        );
        return postIds.map((id) => byId.get(id)).filter((d): d is PostDto => d !== undefined);
      },
    }),
    pages: () => ({
      page: (db, spaceId) => socialSpaces.socialSpace(db, spaceId),
      authors: (db, ids) => socialSpaces.authors(db, ids),
    }),
  });
  const timeline = createTimeline(engine, { notifier: { notify: (...a) => notifier().notify(...a) } });
  // Page followers hear of the page's posts. http/services.ts builds this feature inside the object
  // it returns, so social's hooks are reachable only once createServices has returned.
  queueMicrotask(() => {
    const hooks = services().social.hooks.onSpacePost;
    if (!hooks.includes(lib.pages.onSpacePost)) hooks.push(lib.pages.onSpacePost);
  });
  return { library: lib.library, pages: lib.pages, collections: lib.collections, events: timeline.events };
}
