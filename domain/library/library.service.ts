/**
 * The library (social-graph-api "User Library", "Library Limits"): a user likes posts, pages,
 * users and collections. Rules:
 * - A post can be liked only when the liker may see it (social's visibility rule; else 404); a page
 *   only when the space has socialEnabled (404); a user who exists and is not oneself (400); a collection the liker may read (404).
 * - At most LIBRARY_MAX_ITEMS (10,000) saved items per user, all kinds together (400 with
 *   data.limit); checked and written under a lock on the user row, so racing likes cannot pass it.
 * - Liking twice is a no-op; unliking what is not liked is a no-op.
 * - Lists are newest like first, paginated by limit/offset; a liked post the viewer may not see
 *   (or that was deleted) is left out of the viewer's page.
 */
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import type { PostDto } from '../social/index.ts';
import type { CollectionsService } from './collections.service.ts';
import type { CollectionDto } from './collections.schema.ts';
import { blockedEitherWay } from '../accounts/index.ts';
import {
  countLikes,
  deleteLike,
  getLike,
  insertLike,
  likedIds,
  lockUser,
  users,
  type Page,
} from './library.repository.ts';
import { toUserSummary, type LibraryCounts, type LikedPage, type LikedUser } from './library.schema.ts';
import type { LibraryDeps, LibraryPorts } from './ports.ts';
import type { LikeKind } from './tables.ts';
import { inTx } from './tx.ts';

export class LibraryService {
  constructor(
    private readonly p: LibraryPorts,
    private readonly deps: LibraryDeps,
    private readonly collections: CollectionsService,
  ) {}

  /** 404 unless the item exists (and, for a post, the user may see it). */
  private async requireItem(db: Db, meId: string, kind: LikeKind, itemId: string): Promise<void> {
    if (kind === 'post') {
      await this.deps.posts().get(db, meId, itemId);
    } else if (kind === 'page') {
      if (!(await this.deps.pages().page(db, itemId))) throw notFound('Page not found');
    } else if (kind === 'collection') {
      await this.collections.requireReadable(db, meId, itemId);
    } else {
      if (itemId === meId) throw badRequest('You cannot like yourself');
      if ((await users(db, [itemId])).length === 0) throw notFound('User not found');
      // Across a block (either way) nobody saves the other (spec "Block Filtering" spirit).
      if (await blockedEitherWay(db, meId, itemId))
        throw forbidden('You cannot like a user you blocked or who blocked you');
    }
  }

  /** Likes the item; `created` is false when it was liked already. */
  async like(
    db: Db,
    meId: string,
    kind: LikeKind,
    itemId: string,
  ): Promise<{ liked: true; created: boolean }> {
    await this.requireItem(db, meId, kind, itemId);
    const max = this.p.config.LIBRARY_MAX_ITEMS;
    const created = await inTx(db, async (trx) => {
      await lockUser(trx, meId);
      if (await getLike(trx, meId, kind, itemId)) return false;
      const c = await countLikes(trx, meId);
      if (c.post + c.page + c.user + c.collection >= max)
        throw badRequest(`Your library holds at most ${max} saved items; remove some first`, { limit: max });
      await insertLike(trx, meId, kind, itemId, new Date(this.p.clock.now()));
      return true;
    });
    return { liked: true, created };
  }

  /** Removes the like; true when there was one. */
  unlike(db: Db, meId: string, kind: LikeKind, itemId: string): Promise<boolean> {
    return deleteLike(db, meId, kind, itemId);
  }

  async isLiked(db: Db, meId: string, kind: LikeKind, itemId: string): Promise<boolean> {
    return !!(await getLike(db, meId, kind, itemId));
  }

  async counts(db: Db, userId: string): Promise<LibraryCounts> {
    await this.requireUser(db, userId);
    const c = await countLikes(db, userId);
    return {
      posts: c.post,
      pages: c.page,
      users: c.user,
      collections: c.collection,
      total: c.post + c.page + c.user + c.collection,
      max: this.p.config.LIBRARY_MAX_ITEMS,
    };
  }

  private async requireUser(db: Db, userId: string): Promise<void> {
    if ((await users(db, [userId])).length === 0) throw notFound('User not found');
  }

  /** Liked posts of `ownerId` that `viewerId` may see, newest like first. */
  async likedPosts(db: Db, viewerId: string, ownerId: string, page: Page): Promise<PostDto[]> {
    await this.requireUser(db, ownerId);
    const rows = await likedIds(db, ownerId, 'post', page);
    // Deleted, or not visible to this viewer: not part of their view of the list.
    return this.deps.posts().many(
      db,
      viewerId,
      rows.map((r) => String(r.item_id)),
    );
  }

  /** Liked (= followed) pages of `ownerId`, newest first; spaces that no longer exist drop out. */
  async likedPages(db: Db, ownerId: string, page: Page): Promise<LikedPage[]> {
    await this.requireUser(db, ownerId);
    const rows = await likedIds(db, ownerId, 'page', page);
    const spaces = await this.deps.pages().authors(
      db,
      rows.map((r) => String(r.item_id)),
    );
    const out: LikedPage[] = [];
    for (const r of rows) {
      const s = spaces.get(String(r.item_id));
      if (s) out.push({ ...s, likedAt: r.created_at.toISOString() });
    }
    return out;
  }

  /** Liked collections of `ownerId` that `viewerId` may read, newest like first. */
  async likedCollections(db: Db, viewerId: string, ownerId: string, page: Page): Promise<CollectionDto[]> {
    await this.requireUser(db, ownerId);
    const rows = await likedIds(db, ownerId, 'collection', page);
    return this.collections.readableByIds(
      db,
      viewerId,
      rows.map((r) => String(r.item_id)),
    );
  }

  /** Liked users of `ownerId`, newest first. */
  async likedUsers(db: Db, ownerId: string, page: Page): Promise<LikedUser[]> {
    await this.requireUser(db, ownerId);
    const rows = await likedIds(db, ownerId, 'user', page);
    const byId = new Map(
      (
        await users(
          db,
          rows.map((r) => String(r.item_id)),
        )
      ).map((u) => [String(u.id), u]),
    );
    const out: LikedUser[] = [];
    for (const r of rows) {
      const u = byId.get(String(r.item_id));
      if (u) out.push({ ...toUserSummary(u), likedAt: r.created_at.toISOString() });
    }
    return out;
  }
}
