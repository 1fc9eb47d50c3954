/** Valibot inputs of collections (social-graph-api "Collections") and the shapes they answer with. */
import * as v from 'valibot';
import { isSnowflake } from '../../engine/ids.ts';
import type { PostDto } from '../social/index.ts';
import type { UserSummary } from './library.schema.ts';

const snowflake = v.pipe(
  v.string(),
  v.check((s: string) => isSnowflake(s), 'must be a numeric id'),
);
const text = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.check((s) => !s.includes('\0'), 'must not contain NUL bytes'),
    v.minLength(min, `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
  );
/** The ordered posts of a collection; the per-collection maximum is config (COLLECTION_MAX_ITEMS). */
const postIds = v.pipe(v.array(snowflake), v.maxLength(10_000, 'too many posts'));

export const CreateCollectionInput = v.object({
  name: text(1, 100),
  description: v.optional(v.nullable(text(0, 1000))),
  isPublic: v.optional(v.boolean()),
  postIds: v.optional(postIds),
});
export type CreateCollectionInput = v.InferOutput<typeof CreateCollectionInput>;

/** PUT /collections/:id: the given fields change; `postIds` replaces the items, in that order. */
export const UpdateCollectionInput = v.object({
  name: v.optional(text(1, 100)),
  description: v.optional(v.nullable(text(0, 1000))),
  isPublic: v.optional(v.boolean()),
  postIds: v.optional(postIds),
});
export type UpdateCollectionInput = v.InferOutput<typeof UpdateCollectionInput>;

/** POST /collections/:id/items: at `position` (0-based; default: the end). */
export const AddItemInput = v.object({
  postId: snowflake,
  position: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export type AddItemInput = v.InferOutput<typeof AddItemInput>;

export const FeatureInput = v.object({ featured: v.boolean() });

export interface CollectionDto {
  id: string;
  ownerId: string;
  owner: UserSummary | null;
  name: string;
  description: string | null;
  isPublic: boolean;
  isFeatured: boolean;
  itemCount: number;
  playCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface CollectionItemDto {
  position: number;
  addedAt: string;
  post: PostDto;
}

/** One collection with the items the viewer may see, in order (itemCount counts all of them). */
export interface CollectionDetail extends CollectionDto {
  items: CollectionItemDto[];
}
