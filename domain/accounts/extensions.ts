/**
 * What other features plug into accounts, without accounts importing them (dependencies point down):
 * - the spaces feature implements `SpaceDirectory` (profile handles that are space slugs, and
 *   "shares a space" for profile visibility); until then no space exists;
 * - features that keep per-pair state register hooks, e.g. DMs decline pending requests on a block.
 * Hooks run inside the transaction of the change, so they commit or roll back with it.
 */
import type { Db } from './tokens.ts';

/** A space as `GET /users/profiles/:handle` shows it (spec "Response (space)"). */
export interface SpaceProfile {
  type: 'space';
  id: string;
  name: string;
  slug: string;
  description: string | null;
  iconUrl: string | null;
  memberCount: number;
  baseColor: string | null;
  accentColor: string | null;
  textColor: string | null;
  ownerId: string;
}

export interface SpaceDirectory {
  /** The space with this slug (case-insensitive) and socialEnabled = true, or null. */
  findSocialSpaceBySlug(db: Db, slug: string): Promise<SpaceProfile | null>;
  /** True when both users are members of at least one common space. */
  shareSpace(db: Db, userA: string, userB: string): Promise<boolean>;
}

export const noSpaces: SpaceDirectory = {
  findSocialSpaceBySlug: async () => null,
  shareSpace: async () => false,
};

export type PairHook = (trx: Db, actorId: string, targetId: string) => Promise<void>;
export type UserHook = (trx: Db, userId: string) => Promise<void>;

export interface AccountHooks {
  /** After `blockerId` blocked `blockedId` (follows both ways are already gone). */
  onBlock: PairHook[];
  /** Before the user row is deleted (rows with `on delete cascade` need nothing). */
  onUserDeleted: UserHook[];
}

export async function runPairHooks(hooks: PairHook[], trx: Db, a: string, b: string): Promise<void> {
  for (const h of hooks) await h(trx, a, b);
}
