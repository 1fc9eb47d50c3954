/**
 * The two registries features plug into without editing the gateway:
 * - `AccessRegistry`: who may be in which room (one provider per room kind).
 * - `CommandRegistry`: client events, each with a valibot schema and a handler.
 */
import type * as v from 'valibot';
import type { CommandHandler, CommandOptions, RoomAccessProvider } from './types.ts';

const PREFIX_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** Room name → kind: `space:12` → `space`. */
export function roomKind(room: string): string {
  const i = room.indexOf(':');
  return i > 0 ? room.slice(0, i) : '';
}

export class AccessRegistry {
  private readonly providers = new Map<string, RoomAccessProvider>();

  /**
   * Register the provider of one room kind. One provider per kind; `user` is the gateway's own.
   * @example access.register({ prefix: 'channel', canJoin: (userId, room) => canView(userId, room) })
   */
  register(provider: RoomAccessProvider): void {
    if (!PREFIX_RE.test(provider.prefix)) throw new Error(`invalid room prefix "${provider.prefix}"`);
    if (provider.prefix === 'user') throw new Error('the "user" room kind belongs to the gateway');
    if (this.providers.has(provider.prefix))
      throw new Error(`a room access provider for "${provider.prefix}" is already registered`);
    this.providers.set(provider.prefix, provider);
  }

  /** Remove a provider (tests, hot reload). */
  unregister(prefix: string): void {
    this.providers.delete(prefix);
  }

  /** May `userId` join `room`? Unknown kinds are refused; `user:<id>` only by that user. */
  async canJoin(userId: string, room: string): Promise<boolean> {
    const kind = roomKind(room);
    if (kind === 'user') return room === `user:${userId}`;
    const p = this.providers.get(kind);
    if (!p || room.length === kind.length + 1) return false;
    return p.canJoin(userId, room);
  }

  /** Every room a user joins on connect, from every provider with `roomsOf`. */
  async roomsOf(userId: string): Promise<string[]> {
    const lists = await Promise.all(
      [...this.providers.values()].map((p) => (p.roomsOf ? p.roomsOf(userId) : Promise.resolve([]))),
    );
    return lists.flat().filter((r) => roomKind(r) !== 'user');
  }

  /** The user's rooms of one kind (presence announces to the `space` ones). */
  async roomsOfKind(kind: string, userId: string): Promise<string[]> {
    const p = this.providers.get(kind);
    return p?.roomsOf ? p.roomsOf(userId) : [];
  }
}

export interface Command {
  readonly name: string;
  readonly schema: v.GenericSchema;
  readonly handler: CommandHandler<v.GenericSchema>;
  readonly options: CommandOptions;
}

const EVENT_RE = /^[a-z][a-z0-9_:.-]{0,63}$/i;

export class CommandRegistry {
  private readonly commands = new Map<string, Command>();

  /**
   * Register a client event. The data is validated with `schema` before the handler runs; the
   * handler's return value is the ack's `data`; a thrown AppError becomes `{ ok: false, error }`.
   * @example
   * gateway.command('message:send', v.object({ channelId: snowflake, content: str(1, 4000) }),
   *   (user, data) => messages.send(db, user, data), { rateLimit: { limit: 10, windowMs: 10_000 } });
   */
  register<S extends v.GenericSchema>(
    name: string,
    schema: S,
    handler: CommandHandler<S>,
    options: CommandOptions = {},
  ): void {
    if (!EVENT_RE.test(name)) throw new Error(`invalid event name "${name}"`);
    if (this.commands.has(name)) throw new Error(`socket command "${name}" is already registered`);
    this.commands.set(name, {
      name,
      schema,
      handler: handler as CommandHandler<v.GenericSchema>,
      options,
    });
  }

  unregister(name: string): void {
    this.commands.delete(name);
  }

  get(name: string): Command | undefined {
    return this.commands.get(name);
  }

  names(): string[] {
    return [...this.commands.keys()];
  }
}
