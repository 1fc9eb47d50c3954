/** Kysely types of the library tables (migration 20261125_0100_library_timeline). */
import type { Generated } from 'kysely';
import type { Id, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';

/**
 * What a user can like: a post, a page (a socialEnabled space; liking it is following it), a user,
 * a collection (migration 0101).
 */
export type LikeKind = 'post' | 'page' | 'user' | 'collection';

export interface LibraryLikesTable {
  user_id: Id;
  kind: LikeKind;
  item_id: Id;
  created_at: TimestampDefault;
}

export interface CollectionsTable {
  id: Id;
  owner_id: Id;
  name: string;
  description: string | null;
  is_public: boolean;
  is_featured: Generated<boolean>;
  item_count: Generated<number>;
  play_count: Generated<number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CollectionItemsTable {
  collection_id: Id;
  post_id: Id;
  position: number;
  added_at: Timestamp;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    library_likes: LibraryLikesTable;
    collections: CollectionsTable;
    collection_items: CollectionItemsTable;
  }
}
