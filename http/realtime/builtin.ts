/**
 * The client events the gateway owns (spec "WebSocket Events", client table): room joins, typing,
 * presence and guest visits. Feature events (message:send, dm:send, call:*, voice:*) are registered
 * by their route modules through the same `gateway.command` API.
 */
import * as v from 'valibot';
import { forbidden } from '../../engine/errors.ts';
import { room } from '../../engine/rooms.ts';
import { snowflake } from '../validate.ts';
import type { Gateway } from './gateway.ts';
import type { AuthUser, SocketHandle } from './types.ts';

const channelIdSchema = v.object({ channelId: snowflake });
const threadIdSchema = v.object({ threadId: snowflake });
const conversationIdSchema = v.object({ conversationId: snowflake });
const spaceIdSchema = v.object({ spaceId: snowflake });

export function registerBuiltinCommands(gw: Gateway): void {
  const joinAck = (r: string) => ({ room: r });

  gw.command('channel:join', channelIdSchema, async (_u, d, { socket }) => {
    await socket.join(room.channel(d.channelId));
    return joinAck(room.channel(d.channelId));
  });
  gw.command('channel:leave', channelIdSchema, (_u, d, { socket }) => {
    socket.leave(room.channel(d.channelId));
    return joinAck(room.channel(d.channelId));
  });
  gw.command('thread:join', threadIdSchema, async (_u, d, { socket }) => {
    await socket.join(room.thread(d.threadId));
    return joinAck(room.thread(d.threadId));
  });
  gw.command('thread:leave', threadIdSchema, (_u, d, { socket }) => {
    socket.leave(room.thread(d.threadId));
    return joinAck(room.thread(d.threadId));
  });
  // Conversations created after connect (spec); the ones before are auto-joined.
  gw.command('dm:join', conversationIdSchema, async (_u, d, { socket }) => {
    await socket.join(room.dm(d.conversationId));
    return joinAck(room.dm(d.conversationId));
  });

  gw.command('message:typing', channelIdSchema, (user, d, { socket }) =>
    typing(gw, user, socket, room.channel(d.channelId), 'member:typing', {
      channelId: d.channelId,
      userId: user.id,
      username: user.username,
    }),
  );
  gw.command('dm:typing', conversationIdSchema, (user, d, { socket }) =>
    typing(gw, user, socket, room.dm(d.conversationId), 'dm:typing', {
      conversationId: d.conversationId,
      userId: user.id,
      username: user.username,
    }),
  );

  gw.command('presence:heartbeat', v.unknown(), async (user) => {
    await gw.presence.heartbeat(user.id);
    return null;
  });
  gw.command(
    'presence:status',
    v.object({
      status: v.picklist(['online', 'idle', 'dnd', 'offline'], 'must be online, idle, dnd or offline'),
    }),
    async (user, d) => {
      await gw.presence.setStatus(user.id, d.status);
      return { status: d.status };
    },
  );

  gw.command('space:visit', spaceIdSchema, (_u, d, { socket }) =>
    gw.visits.visit(gw.connectionOf(socket), d.spaceId),
  );
  gw.command('space:leave_visit', spaceIdSchema, (_u, d, { socket }) =>
    gw.visits.leave(gw.connectionOf(socket), d.spaceId),
  );
  gw.command('space:kick_guest', v.object({ spaceId: snowflake, targetUserId: snowflake }), (user, d) =>
    gw.visits.kick(user, d.spaceId, d.targetUserId),
  );
}

/**
 * A typing indicator to a room, except the typist; at most one per user and room per
 * TYPING_THROTTLE_MS across nodes (a kv claim). The typist must be in the room or allowed in it.
 */
async function typing(
  gw: Gateway,
  user: AuthUser,
  socket: SocketHandle,
  r: string,
  event: string,
  payload: Record<string, string>,
): Promise<{ sent: boolean }> {
  if (!gw.connectionOf(socket).joined.has(r) && !(await gw.access.canJoin(user.id, r)))
    throw forbidden(`You cannot type in ${r}`);
  const throttle = gw.engine.config.TYPING_THROTTLE_MS;
  if (throttle > 0 && !(await gw.engine.kv.setIfAbsent(`typing:${user.id}:${r}`, '1', throttle)))
    return { sent: false };
  gw.engine.rooms.emit(r, event, payload, { exceptUserId: user.id });
  return { sent: true };
}
