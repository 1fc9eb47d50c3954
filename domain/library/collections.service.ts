/**
 * Collections (social-graph-api "Collections", "Library Limits"): curated, ordered lists of posts.
 * Rules:
 * - At most COLLECTIONS_MAX (100) collections per user and COLLECTION_MAX_ITEMS (500) posts per
 *   collection (400 with data.limit), checked under a lock (the owner's row, the collection's row).
 * - A post goes in only when the owner may see it (social's visibility rule); else 400 with
 *   data.postIds. Duplicate ids keep their first position.
 * - A public collection is readable by every signed-in user, a private one by its owner only (404
 *   for others). Only the owner changes or deletes it (403 for others who can read it).
 * - A reader sees the items they may see themselves, in order; itemCount counts every item.
 * - Featured: public collections an admin marked. Recommendations: public, non-empty collections of
 *   others, those of followed users first (collections.repository.ts `recommended`).
 */
import type { AuthUser } from '../../engine/auth/types.ts';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, forbidden, notFound } from '../../engine/errors.ts';
import {
  countOwned,
  deleteCollection,
  getCollection,
  incrementPlays,
  insertCollection,
  itemIds,
  items,
  listCollections,
  lockCollection,
  recommended,
  replaceItems,
  updateCollection,
  type CollectionFilter,
  type CollectionRow,
} from './collections.repository.ts';
import type {
  AddItemInput,
  CollectionDetail,
  CollectionDto,
  CollectionItemDto,
  CreateCollectionInput,
  UpdateCollectionInput,
} from './collections.schema.ts';
import { lockUser, users, type Page } from './library.repository.ts';
import { toUserSummary } from './library.schema.ts';
import type { LibraryDeps, LibraryPorts } from './ports.ts';
import { inTx } from './tx.ts';

export class CollectionsService {
  constructor(
    private readonly p: LibraryPorts,
    private readonly deps: LibraryDeps,
  ) {}

  private now(): Date {
    return new Date(this.p.clock.now());
  }

  private async present(db: Db, rows: readonly CollectionRow[]): Promise<CollectionDto[]> {
    const owners = new Map(
      (
        await users(
          db,
          rows.map((r) => String(r.owner_id)),
        )
      ).map((u) => [String(u.id), toUserSummary(u)]),
    );
    return rows.map((r) => ({
      id: String(r.id),
      ownerId: String(r.owner_id),
      owner: owners.get(String(r.owner_id)) ?? null,
      name: r.name,
      description: r.description,
      isPublic: r.is_public,
      isFeatured: r.is_featured,
      itemCount: r.item_count,
      playCount: r.play_count,
      createdAt: new Date(r.created_at).toISOString(),
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
  }

  /** 404 unless the viewer may read the collection. */
  async requireReadable(db: Db, viewerId: string, id: string): Promise<void> {
    await this.readable(db, viewerId, id);
  }

  /** The collections among `ids` the viewer may read, in the order of `ids`. */
  async readableByIds(db: Db, viewerId: string, ids: readonly string[]): Promise<CollectionDto[]> {
    const rows: CollectionRow[] = [];
    for (const id of ids) {
      const row = await getCollection(db, id);
      if (row && (row.is_public || String(row.owner_id) === viewerId)) rows.push(row);
    }
    return this.present(db, rows);
  }

  /** The collection when the viewer may read it, else 404. */
  private async readable(db: Db, viewerId: string, id: string): Promise<CollectionRow> {
    const row = await getCollection(db, id);
    if (!row || (!row.is_public && String(row.owner_id) !== viewerId)) throw notFound('Collection not found');
    return row;
  }

  private async owned(db: Db, meId: string, id: string): Promise<CollectionRow> {
    const row = await this.readable(db, meId, id);
    if (String(row.owner_id) !== meId) throw forbidden('Only the owner can change this collection');
    return row;
  }

  /** Deduplicated ids, each a post the owner may see, within COLLECTION_MAX_ITEMS. */
  private async checkPosts(db: Db, ownerId: string, postIds: readonly string[]): Promise<string[]> {
    const ids = [...new Set(postIds)];
    const max = this.p.config.COLLECTION_MAX_ITEMS;
    if (ids.length > max) throw badRequest(`A collection holds at most ${max} posts`, { limit: max });
    const seen = new Set((await this.deps.posts().many(db, ownerId, ids)).map((p) => p.id));
    const unknown = ids.filter((id) => !seen.has(id));
    if (unknown.length) throw badRequest('Unknown or not visible posts', { postIds: unknown });
    return ids;
  }

  async detail(db: Db, viewerId: string, row: CollectionRow): Promise<CollectionDetail> {
    const [dto] = await this.present(db, [row]);
    const all = await items(db, String(row.id));
    const visible = new Map(
      (
        await this.deps.posts().many(
          db,
          viewerId,
          all.map((it) => String(it.post_id)),
        )
      ).map((p) => [p.id, p]),
    );
    const out: CollectionItemDto[] = [];
    for (const it of all) {
      const post = visible.get(String(it.post_id));
      if (post) out.push({ position: it.position, addedAt: new Date(it.added_at).toISOString(), post });
    }
    return { ...dto!, items: out };
  }

  /** POST /collections */
  async create(db: Db, meId: string, input: CreateCollectionInput): Promise<CollectionDetail> {
    const posts = await this.checkPosts(db, meId, input.postIds ?? []);
    const id = this.p.ids.next();
    const max = this.p.config.COLLECTIONS_MAX;
    await inTx(db, async (trx) => {
      await lockUser(trx, meId);
      if ((await countOwned(trx, meId)) >= max)
        throw badRequest(`You can have at most ${max} collections`, { limit: max });
      const at = this.now();
      await insertCollection(trx, {
        id,
        ownerId: meId,
        name: input.name,
        description: input.description ?? null,
        isPublic: input.isPublic ?? true,
        at,
      });
      await replaceItems(trx, id, posts, at);
    });
    return this.get(db, meId, id);
  }

  /** GET /collections/:id */
  async get(db: Db, viewerId: string, id: string): Promise<CollectionDetail> {
    return this.detail(db, viewerId, await this.readable(db, viewerId, id));
  }

  /** POST /collections/:id/play: counts a play and answers the collection. */
  async play(db: Db, viewerId: string, id: string): Promise<CollectionDetail> {
    await this.readable(db, viewerId, id);
    await incrementPlays(db, id);
    return this.get(db, viewerId, id);
  }

  /** PUT /collections/:id */
  async update(db: Db, meId: string, id: string, input: UpdateCollectionInput): Promise<CollectionDetail> {
    await this.owned(db, meId, id);
    const posts = input.postIds ? await this.checkPosts(db, meId, input.postIds) : null;
    await inTx(db, async (trx) => {
      await lockCollection(trx, id);
      const at = this.now();
      await updateCollection(
        trx,
        id,
        {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.isPublic !== undefined ? { is_public: input.isPublic } : {}),
        },
        at,
      );
      if (posts) await replaceItems(trx, id, posts, at);
    });
    return this.get(db, meId, id);
  }

  /** DELETE /collections/:id */
  async remove(db: Db, meId: string, id: string): Promise<void> {
    await this.owned(db, meId, id);
    await deleteCollection(db, id);
  }

  /** POST /collections/:id/items: adds a post (a post already in moves to `position`). */
  async addItem(db: Db, meId: string, id: string, input: AddItemInput): Promise<CollectionDetail> {
    await this.owned(db, meId, id);
    await this.checkPosts(db, meId, [input.postId]);
    const max = this.p.config.COLLECTION_MAX_ITEMS;
    await inTx(db, async (trx) => {
      await lockCollection(trx, id);
      const ids = (await itemIds(trx, id)).filter((p) => p !== input.postId);
      if (ids.length >= max) throw badRequest(`A collection holds at most ${max} posts`, { limit: max });
      ids.splice(Math.min(input.position ?? ids.length, ids.length), 0, input.postId);
      const at = this.now();
      await replaceItems(trx, id, ids, at);
      await updateCollection(trx, id, {}, at);
    });
    return this.get(db, meId, id);
  }

  /** DELETE /collections/:id/items/:postId */
  async removeItem(db: Db, meId: string, id: string, postId: string): Promise<void> {
    await this.owned(db, meId, id);
    await inTx(db, async (trx) => {
      await lockCollection(trx, id);
      const ids = await itemIds(trx, id);
      if (!ids.includes(postId)) throw notFound('Post not in this collection');
      const at = this.now();
      await replaceItems(
        trx,
        id,
        ids.filter((p) => p !== postId),
        at,
      );
      await updateCollection(trx, id, {}, at);
    });
  }

  /** PUT /collections/:id/featured (admins only). */
  async setFeatured(db: Db, admin: AuthUser, id: string, featured: boolean): Promise<CollectionDto> {
    if (!admin.isAdmin) throw forbidden('Admins only');
    const row = await getCollection(db, id);
    if (!row) throw notFound('Collection not found');
    if (featured && !row.is_public) throw badRequest('Only a public collection can be featured');
    await updateCollection(db, id, { is_featured: featured }, this.now());
    const [dto] = await this.present(db, [(await getCollection(db, id))!]);
    return dto!;
  }

  /**
   * GET /collections (public ones, or one user's with `ownerId`: all of them for the owner, public
   * ones for others), /collections/featured.
   */
  async list(
    db: Db,
    viewerId: string,
    which: { ownerId?: string | undefined; featured?: boolean },
    page: Page,
  ): Promise<CollectionDto[]> {
    const f: CollectionFilter = which.featured
      ? { kind: 'featured' }
      : which.ownerId
        ? { kind: 'owner', ownerId: which.ownerId, includePrivate: which.ownerId === viewerId }
        : { kind: 'public' };
    return this.present(db, await listCollections(db, f, page));
  }

  /** GET /collections/recommendations */
  async recommendations(db: Db, viewerId: string, page: Page): Promise<CollectionDto[]> {
    return this.present(db, await recommended(db, viewerId, page));
  }
}
