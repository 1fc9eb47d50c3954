/**
 * The realtime gateway: what the rest of reef may use from http/realtime.
 *
 * Features reach it as `services.realtime` (a `Gateway`):
 * - `realtime.access.register({ prefix, roomsOf?, canJoin })` who may be in which room
 * - `realtime.command(name, schema, handler, options?)` a client event on both protocols
 * - `realtime.setGuestVisitPolicy(policy)` enables public-space guest visits
 * - `realtime.joinUser(userId, room)` / `leaveUser(userId, room)` move a user's sockets on all nodes
 * - `realtime.presence.get(userId)` / `getMany(ids)` read presence
 * Events to clients are emitted with `engine.rooms.emit(room, event, payload)`.
 */
import type uWS from 'uWebSockets.js';
import type { Engine } from '../../engine/index.ts';
import { registerBuiltinCommands } from './builtin.ts';
import { Gateway } from './gateway.ts';
import { attachNative } from './native.ts';
import { attachSocketIo } from './socketio.ts';

export { Gateway, type GatewayStats } from './gateway.ts';
export type {
  Ack,
  AckError,
  CommandContext,
  CommandHandler,
  CommandOptions,
  GuestVisitPolicy,
  PresenceStatus,
  Protocol,
  RoomAccessProvider,
  SocketHandle,
} from './types.ts';

/** Build the gateway (commands and providers can be registered before it starts). */
export function createGateway(engine: Engine, authenticate: Gateway['authenticate']): Gateway {
  const gw = new Gateway(engine, authenticate);
  registerBuiltinCommands(gw);
  return gw;
}

/** Serve both protocols on the app; call before the REST edge attaches its catch-all route. */
export function startGateway(gw: Gateway, app: uWS.TemplatedApp): void {
  const stopNative = attachNative(app, gw);
  const stopSocketIo = attachSocketIo(app, gw);
  gw.start(app, [stopSocketIo, stopNative]);
}
