/**
 * Presence (spec "WebSocket Events": presence:heartbeat, presence:status, member:presence).
 *
 * State lives in the kv so every node agrees:
 * - `presence:s:<user>` the chosen status, with a TTL of PRESENCE_TTL_MS that presence:heartbeat
 *   refreshes. No key means offline.
 * - `presence:n:<user>` how many sockets the user has open on all nodes. Each node refreshes the TTL
 *   of the counters of its own users (`sweep`), so the count of a node that died expires on its own.
 *
 * A user goes offline when the count drops to zero (the last socket on any node closed) or when the
 * status key lapses (no heartbeat for PRESENCE_TTL_MS; noticed by `sweep` on a node that still holds a
 * socket of the user, and announced once thanks to a claim key). Status `offline` set by the user
 * is "invisible": announced as offline while connected.
 *
 * Changes are announced as member:presence { userId, status } to every space room of the user.
 */
import type { Kv } from '../../engine/kv/index.ts';
import type { Rooms } from '../../engine/rooms.ts';

export type PresenceStatus = 'online' | 'idle' | 'dnd' | 'offline';

export interface PresenceDeps {
  kv: Kv;
  rooms: Rooms;
  ttlMs: number;
  /** The rooms to announce a user's presence to (their space rooms). */
  roomsToNotify(userId: string): Promise<string[]>;
}

const statusKey = (u: string) => `presence:s:${u}`;
const countKey = (u: string) => `presence:n:${u}`;
const lapsedKey = (u: string) => `presence:l:${u}`;
const LAPSE_CLAIM_MS = 24 * 3600_000;

/** What others see: no key or the invisible status both read as offline. */
const visible = (s: string | null): PresenceStatus =>
  s === 'online' || s === 'idle' || s === 'dnd' ? s : 'offline';

export class PresenceService {
  constructor(private readonly deps: PresenceDeps) {}

  /** A socket of the user opened. Returns the user's open socket count across nodes, this one included. */
  async connect(userId: string): Promise<number> {
    const { kv, ttlMs } = this.deps;
    const n = await kv.incr(countKey(userId), 1, ttlMs);
    await this.ensureOnline(userId);
    return n;
  }

  /** A socket of the user closed. The last one on any node makes the user offline. */
  async disconnect(userId: string): Promise<void> {
    const { kv } = this.deps;
    const n = await kv.incr(countKey(userId), -1);
    if (n > 0) return;
    await kv.del(countKey(userId));
    const prev = await kv.get(statusKey(userId));
    await kv.del(statusKey(userId));
    await kv.del(lapsedKey(userId));
    // prev === null: it had lapsed, and the lapse was announced then.
    if (prev !== null && visible(prev) !== 'offline') await this.announce(userId, 'offline');
  }

  /** presence:heartbeat: refresh the TTL; a lapsed user comes back online. */
  async heartbeat(userId: string): Promise<void> {
    await this.ensureOnline(userId);
  }

  /** presence:status: set the status; announced when what others see changes. */
  async setStatus(userId: string, status: PresenceStatus): Promise<void> {
    const { kv, ttlMs } = this.deps;
    const prev = await kv.get(statusKey(userId));
    await kv.set(statusKey(userId), status, ttlMs);
    if (prev === null) await kv.del(lapsedKey(userId));
    if (visible(prev) !== visible(status)) await this.announce(userId, visible(status));
  }

  /** The status others see. */
  async get(userId: string): Promise<PresenceStatus> {
    return visible(await this.deps.kv.get(statusKey(userId)));
  }

  async getMany(userIds: readonly string[]): Promise<Record<string, PresenceStatus>> {
    const values = await Promise.all(userIds.map((u) => this.get(u)));
    return Object.fromEntries(userIds.map((u, i) => [u, values[i] ?? 'offline']));
  }

  /**
   * Called periodically (PRESENCE_TTL_MS / 3) by each node for the users it holds sockets of: keeps
   * their socket counters alive and announces, once across nodes, the users whose status lapsed.
   */
  async sweep(userIds: Iterable<string>): Promise<void> {
    const { kv, ttlMs } = this.deps;
    const work: Promise<void>[] = [];
    for (const userId of userIds) {
      work.push(
        (async () => {
          await kv.expire(countKey(userId), ttlMs);
          if ((await kv.get(statusKey(userId))) !== null) return;
          if (await kv.setIfAbsent(lapsedKey(userId), '1', LAPSE_CLAIM_MS))
            await this.announce(userId, 'offline');
        })(),
      );
    }
    await Promise.all(work);
  }

  /** Refresh the status TTL, or create it as online (and announce) when absent. */
  private async ensureOnline(userId: string): Promise<void> {
    const { kv, ttlMs } = this.deps;
    if (await kv.setIfAbsent(statusKey(userId), 'online', ttlMs)) {
      await kv.del(lapsedKey(userId));
      await this.announce(userId, 'online');
    } else {
      await kv.expire(statusKey(userId), ttlMs);
    }
  }

  private async announce(userId: string, status: PresenceStatus): Promise<void> {
    const rooms = await this.deps.roomsToNotify(userId);
    for (const r of rooms) this.deps.rooms.emit(r, 'member:presence', { userId, status });
  }
}
