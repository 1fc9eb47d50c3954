/**
 * What the social feature needs from the engine and from other features, as small interfaces with
 * defaults, so it does not reach into their internals (dependencies point down; the composition
 * root, http/services.ts, plugs the real ones in).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Engine } from '../../engine/index.ts';
import type { Db } from '../../engine/db/index.ts';
import { badRequest, notFound } from '../../engine/errors.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { SpaceDirectory } from '../accounts/extensions.ts';

export type SocialPorts = Pick<Engine, 'config' | 'clock' | 'ids' | 'kv' | 'rooms' | 'storage' | 'log'>;

/** A space as the author of a post or comment (spec "spaceAuthor"). */
export interface SpaceAuthor {
  id: string;
  name: string;
  slug: string;
  iconUrl: string | null;
  baseColor: string | null;
  accentColor: string | null;
}

/** Spaces as the social feature sees them (spec "User Posts": MANAGE_SOCIAL and socialEnabled). */
export interface SocialSpaces {
  /**
   * `select <space id> ...`: the socialEnabled spaces the user is a member of, as a subquery the
   * feed embeds (its space posts), so the feed stays one statement.
   */
  memberSocialSpacesSql(userId: string): RawBuilder<unknown>;
  /**
   * The space, when the user may post or comment on its behalf: 404 if it does not exist, 403
   * without MANAGE_SOCIAL, 400 when social is not enabled on it.
   */
  requireManageSocial(db: Db, userId: string, spaceId: string): Promise<SpaceAuthor>;
  /** Display data of spaces (any state). */
  authors(db: Db, spaceIds: readonly string[]): Promise<Map<string, SpaceAuthor>>;
  /** The space when it exists and has socialEnabled, else null. */
  socialSpace(db: Db, spaceId: string): Promise<SpaceAuthor | null>;
}

/** Until the spaces feature is plugged in there are no spaces. */
export const noSocialSpaces: SocialSpaces = {
  memberSocialSpacesSql: () => sql`select null::bigint where false`,
  requireManageSocial: async () => {
    throw notFound('Space not found');
  },
  authors: async () => new Map(),
  socialSpace: async () => null,
};

/** Where a post can be shared to (spec "share-to-channel", "share-to-dm"). */
export interface ShareTargets {
  toChannel(db: Db, userId: string, channelId: string, content: string): Promise<unknown>;
  toDm(db: Db, userId: string, conversationId: string, content: string): Promise<unknown>;
}

export const noShareTargets: ShareTargets = {
  toChannel: async () => {
    throw notFound('Channel not found');
  },
  toDm: async () => {
    throw notFound('Conversation not found');
  },
};

/** An item of a personal collection attached to a post (spec existingGalleryItemIds / RouteItemIds). */
export interface CollectionAttachment {
  itemId: string;
  url: string;
  filename: string;
  mimeType: string;
  size: number;
}

/** Personal collections (a later feature): resolves the caller's own items. */
export interface CollectionItems {
  resolve(
    db: Db,
    userId: string,
    kind: 'gallery' | 'route',
    itemIds: readonly string[],
  ): Promise<CollectionAttachment[]>;
}

export const noCollections: CollectionItems = {
  resolve: async (_db, _userId, kind, itemIds) => {
    if (itemIds.length === 0) return [];
    throw badRequest(`Unknown ${kind} item: ${itemIds.join(', ')}`);
  },
};

/** A post just created on behalf of a space (spec "User Posts": spaceId). */
export interface SpacePostCreated {
  postId: string;
  authorId: string;
  space: SpaceAuthor;
  body: string;
}

/**
 * What other features hear of posts, registered by them at the composition root (page followers are
 * notified of a space post, domain/timeline). A listener's error fails the request: the post stays.
 */
export interface PostHooks {
  onSpacePost: Array<(db: Db, post: SpacePostCreated) => Promise<void>>;
}

export interface SocialDeps {
  notifier: Notifier;
  /** accounts' profile visibility rule (spec "Profile Visibility Gate"). */
  canViewProfile(db: Db, viewerId: string, ownerId: string): Promise<boolean>;
  /** accounts' space directory ("shares a space", for accept_mutual_spaces). */
  directory(): SpaceDirectory;
  spaces(): SocialSpaces;
  share(): ShareTargets;
  collections(): CollectionItems;
}
