/**
 * `resolvedStatus` of the actionable notifications other features send (spec "Notifications"):
 * read from the current state of the request, so a client never shows stale Accept/Reject buttons.
 * - dm_request: the recipient's membership of `data.conversationId` (domain/conversations):
 *   pending → pending, accepted → accepted, declined / left / gone → rejected.
 * - portal_invite: `data.inviteId` in portal_invites (domain/spaces): its status; gone → rejected.
 * The follows feature registers follow_request itself (domain/social).
 */
import { sql } from 'kysely';
import type { ResolvedStatus, StatusResolver } from './notifications.service.ts';

const str = (v: unknown): string | null => (typeof v === 'string' && /^\d{1,20}$/.test(v) ? v : null);

function byKey(
  items: Array<{ id: string; data: Record<string, unknown> }>,
  key: string,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const it of items) {
    const k = str(it.data[key]);
    if (!k) continue;
    const list = out.get(k) ?? [];
    list.push(it.id);
    out.set(k, list);
  }
  return out;
}

export const dmRequestStatus: StatusResolver = async (db, userId, items) => {
  const keys = byKey(items, 'conversationId');
  const out = new Map<string, ResolvedStatus>(items.map((i) => [i.id, 'rejected']));
  if (keys.size === 0) return out;
  const rows = await sql<{ conversation_id: string; status: string }>`
    select conversation_id, status from conversation_members
    where user_id = ${userId} and conversation_id = any(${[...keys.keys()]}::bigint[])`.execute(db);
  for (const r of rows.rows) {
    const s: ResolvedStatus =
      r.status === 'pending' ? 'pending' : r.status === 'accepted' ? 'accepted' : 'rejected';
    for (const id of keys.get(r.conversation_id) ?? []) out.set(id, s);
  }
  return out;
};

export const portalInviteStatus: StatusResolver = async (db, _userId, items) => {
  const keys = byKey(items, 'inviteId');
  const out = new Map<string, ResolvedStatus>(items.map((i) => [i.id, 'rejected']));
  if (keys.size === 0) return out;
  const rows = await sql<{ id: string; status: string }>`
    select id, status from portal_invites where id = any(${[...keys.keys()]}::bigint[])`.execute(db);
  for (const r of rows.rows) {
    const s: ResolvedStatus =
      r.status === 'pending' ? 'pending' : r.status === 'accepted' ? 'accepted' : 'rejected';
    for (const id of keys.get(r.id) ?? []) out.set(id, s);
  }
  return out;
};
