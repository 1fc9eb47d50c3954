/**
 * Pages (following-guide "Following Producers"): a space with socialEnabled can be followed like a
 * producer page, separately from membership. Following a page is liking it (the producer page's
 * Like button), so a followed page is in the follower's library and counts as a saved item.
 * When the page posts (a post on behalf of the space, domain/social), each follower except the
 * poster gets a `new_upload` notification (following-guide "New Uploads").
 */
import type { Db } from '../../engine/db/index.ts';
import { notFound } from '../../engine/errors.ts';
import type { SpacePostCreated } from '../social/index.ts';
import type { LibraryService } from './library.service.ts';
import { countLikers, getLike, likerIdsAfter, likers, type Page } from './library.repository.ts';
import { toUserSummary, type LikedPage, type PageFollower, type PageFollowStatus } from './library.schema.ts';
import type { LibraryDeps, LibraryPorts } from './ports.ts';

/** Followers notified per query while fanning out a page post. */
const FANOUT_BATCH = 500;

export class PagesService {
  constructor(
    private readonly p: LibraryPorts,
    private readonly deps: LibraryDeps,
    private readonly library: LibraryService,
  ) {}

  private async requirePage(db: Db, spaceId: string) {
    const page = await this.deps.pages().page(db, spaceId);
    if (!page) throw notFound('Page not found');
    return page;
  }

  /** POST /pages/:spaceId/follow */
  async follow(db: Db, meId: string, spaceId: string): Promise<PageFollowStatus> {
    await this.library.like(db, meId, 'page', spaceId);
    return this.status(db, meId, spaceId);
  }

  /** DELETE /pages/:spaceId/follow */
  async unfollow(db: Db, meId: string, spaceId: string): Promise<void> {
    await this.library.unlike(db, meId, 'page', spaceId);
  }

  /** GET /pages/:spaceId/follow */
  async status(db: Db, meId: string, spaceId: string): Promise<PageFollowStatus> {
    await this.requirePage(db, spaceId);
    const [mine, n] = await Promise.all([
      getLike(db, meId, 'page', spaceId),
      countLikers(db, 'page', spaceId),
    ]);
    return { spaceId, isFollowing: !!mine, followerCount: n };
  }

  /** GET /pages/:spaceId/followers, newest first. */
  async followers(db: Db, spaceId: string, page: Page): Promise<PageFollower[]> {
    await this.requirePage(db, spaceId);
    return (await likers(db, 'page', spaceId, page)).map((r) => ({
      ...toUserSummary(r),
      followedAt: r.created_at.toISOString(),
    }));
  }

  /** GET /pages/followed: the pages a user follows (= liked pages). */
  followed(db: Db, userId: string, page: Page): Promise<LikedPage[]> {
    return this.library.likedPages(db, userId, page);
  }

  /** Social's onSpacePost hook: `new_upload` to every follower of the page but the poster. */
  readonly onSpacePost = async (db: Db, post: SpacePostCreated): Promise<void> => {
    const s = post.space;
    const data = {
      postId: post.postId,
      spaceId: s.id,
      spaceName: s.name,
      spaceSlug: s.slug,
      spaceIconUrl: s.iconUrl,
      preview: post.body.slice(0, 200),
    };
    let after = '0';
    for (;;) {
      const ids = await likerIdsAfter(db, 'page', s.id, after, FANOUT_BATCH);
      for (const userId of ids) {
        if (userId === post.authorId) continue;
        await this.deps.notifier.notify(userId, 'new_upload', data);
      }
      if (ids.length < FANOUT_BATCH) break;
      after = ids[ids.length - 1]!;
    }
    this.p.log.debug({ spaceId: s.id, postId: post.postId }, 'page followers notified');
  };
}
