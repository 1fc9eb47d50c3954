/**
 * PostDto for rows the caller already established the viewer may see (through visibility.ts): the
 * author, space author, attachments, tags, hashtags, reactions, counts and the reposted original,
 * each loaded once per page.
 */
import type { Db } from '../../engine/db/index.ts';
import { userSummaries } from './follows.repository.ts';
import { toUserSummary, type UserSummary } from './follows.schema.ts';
import type { SocialSpaces } from './ports.ts';
import { attachmentsOf, countsOf, hashtagsOf, reactionsOf, tagsOf } from './posts.repository.ts';
import {
  toAttachment,
  type AttachmentDto,
  type PostDto,
  type PostRow,
  type ReactionDto,
} from './posts.schema.ts';

function group<T, K>(rows: readonly T[], key: (r: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

export interface PresentOptions {
  viewerId: string;
  /** Originals of the reposts among `rows`, already checked visible to the viewer. */
  originals: readonly PostRow[];
}

export async function presentPosts(
  db: Db,
  spaces: SocialSpaces,
  rows: readonly PostRow[],
  opts: PresentOptions,
): Promise<PostDto[]> {
  const all = [...rows, ...opts.originals];
  if (all.length === 0) return [];
  const ids = [...new Set(all.map((r) => r.id))];
  const [authors, spaceAuthors, attachments, tags, hashtags, reactions, counts] = await Promise.all([
    userSummaries(
      db,
      all.map((r) => r.author_id),
    ),
    spaces.authors(db, [...new Set(all.map((r) => r.space_id).filter((s): s is string => s !== null))]),
    attachmentsOf(db, ids),
    tagsOf(db, ids),
    hashtagsOf(db, ids),
    reactionsOf(db, ids, opts.viewerId),
    countsOf(db, ids, opts.viewerId),
  ]);
  const authorById = new Map<string, UserSummary>(authors.map((a) => [a.id, toUserSummary(a)]));
  const attById = group(attachments, (a) => a.post_id);
  const tagsById = group(tags, (t) => t.post_id);
  const hashById = group(hashtags, (h) => h.post_id);
  const reactById = group(reactions, (r) => r.post_id);
  const originals = new Map(opts.originals.map((o) => [o.id, o]));

  const one = (r: PostRow, nested: boolean): PostDto => {
    const original = r.repost_of_id ? originals.get(r.repost_of_id) : undefined;
    const c = counts.get(r.id) ?? { comments: 0, reposts: 0 };
    return {
      id: r.id,
      authorId: r.author_id,
      author: authorById.get(r.author_id) ?? null,
      spaceId: r.space_id,
      spaceAuthor: r.space_id ? (spaceAuthors.get(r.space_id) ?? null) : null,
      body: r.body,
      visibility: r.visibility,
      metadata: r.metadata,
      hashtags: (hashById.get(r.id) ?? []).map((h) => h.tag),
      attachments: (attById.get(r.id) ?? []).map(toAttachment) satisfies AttachmentDto[],
      tags: (tagsById.get(r.id) ?? []).map(toUserSummary),
      reactions: (reactById.get(r.id) ?? []).map((x): ReactionDto => ({
        emoji: x.emoji,
        count: x.count,
        reacted: x.reacted,
      })),
      commentCount: c.comments,
      repostCount: c.reposts,
      originalPostId: r.repost_of_id,
      originalPost: original && !nested ? one(original, true) : null,
      isPinned: r.pinned_at !== null,
      pinnedAt: r.pinned_at ? r.pinned_at.toISOString() : null,
      editedAt: r.edited_at ? r.edited_at.toISOString() : null,
      createdAt: r.created_at.toISOString(),
    };
  };
  return rows.map((r) => one(r, false));
}
