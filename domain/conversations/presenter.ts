/** Turns rows and actor views into the objects clients see, with one lookup per kind of data. */
import type { Db } from '../../engine/db/index.ts';
import type { ConversationView } from '../../actors/conversation/conversation.events.ts';
import { membersOf, profiles, type ConversationRow } from './conversations.repository.ts';
import { messagesByIds, reactionsOf, type MessageRow } from './messages.repository.ts';
import {
  toConversationDto,
  toMessageDto,
  type ConversationDto,
  type ConversationShape,
  type MessageDto,
} from './conversations.schema.ts';

export async function renderMessages(db: Db, rows: MessageRow[]): Promise<MessageDto[]> {
  const [authors, reactions] = await Promise.all([
    profiles(
      db,
      rows.flatMap((r) => (r.author_id ? [r.author_id] : [])),
    ),
    reactionsOf(
      db,
      rows.map((r) => r.id),
    ),
  ]);
  return rows.map((r) => toMessageDto(r, authors, reactions.get(r.id) ?? []));
}

/** Conversations from the projection, as `viewerId` sees them. */
export async function renderRows(db: Db, rows: ConversationRow[]): Promise<ConversationDto[]> {
  const ids = rows.map((r) => r.id);
  const [members, lastRows] = await Promise.all([
    membersOf(db, ids),
    messagesByIds(
      db,
      rows.flatMap((r) => (r.last_message_id ? [r.last_message_id] : [])),
    ),
  ]);
  const [people, last] = await Promise.all([
    profiles(
      db,
      members.map((m) => m.user_id),
    ),
    renderMessages(db, lastRows),
  ]);
  const lastById = new Map(last.map((m) => [m.id, m]));
  return rows.map((r) => {
    const shape: ConversationShape = {
      id: r.id,
      type: r.type,
      name: r.name,
      createdBy: r.created_by,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
      lastMessageAt: r.last_message_at,
      members: members
        .filter((m) => m.conversation_id === r.id)
        .map((m) => ({ userId: m.user_id, status: m.status, joinedAt: m.joined_at })),
      viewer: { status: r.status, muted: r.muted },
    };
    return toConversationDto(
      shape,
      people,
      r.last_message_id ? (lastById.get(r.last_message_id) ?? null) : null,
    );
  });
}

/** The actor's view of a conversation, rendered for each of `viewers` (one lookup for all). */
export async function renderView(
  db: Db,
  view: ConversationView,
  viewers: string[],
): Promise<Map<string, ConversationDto>> {
  const [people, lastRows] = await Promise.all([
    profiles(
      db,
      view.members.map((m) => m.userId),
    ),
    view.lastMessageId !== '0' ? messagesByIds(db, [view.lastMessageId]) : Promise.resolve([]),
  ]);
  const [last] = await renderMessages(db, lastRows);
  const out = new Map<string, ConversationDto>();
  for (const viewer of viewers) {
    const me = view.members.find((m) => m.userId === viewer);
    if (!me) continue;
    const shape: ConversationShape = {
      id: view.id,
      type: view.type,
      name: view.name,
      createdBy: view.createdBy,
      createdAt: new Date(view.createdAt),
      updatedAt: new Date(view.updatedAt),
      lastMessageAt: last ? new Date(last.createdAt) : null,
      members: view.members.map((m) => ({
        userId: m.userId,
        status: m.status,
        joinedAt: new Date(m.joinedAt),
      })),
      viewer: { status: me.status, muted: me.muted },
    };
    out.set(viewer, toConversationDto(shape, people, last ?? null));
  }
  return out;
}
