/**
 * Notifications (spec "Notifications"): creation with delivery by channel, listing with
 * `resolvedStatus`, unread count and read state.
 *
 * `notify(userId, type, data, { actorId })` is how every feature notifies. Delivery rules:
 * 1. Nothing reaches a user from an actor they muted, or across a block either way. The actor is
 *    `opts.actorId`, else the first of data.actorId / fromUserId / authorId / followerId.
 * 2. The user's channel preferences for the type decide: `in_app` stores the row and emits
 *    `notification:new` to `user:<id>`; `mobile` queues a push; `email` queues an email.
 */
import type { Db } from '../../engine/db/index.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Ids } from '../../engine/ids.ts';
import { room, type Rooms } from '../../engine/rooms.ts';
import { notFound } from '../../engine/errors.ts';
import { defaultChannels, describe, isActionable, notificationType, type Channels } from './catalog.ts';
import type { NotificationDelivery } from './delivery.ts';
import type { PreferencesService } from './preferences.service.ts';
import {
  countUnread,
  insertNotification,
  listNotifications,
  markAllRead,
  markRead,
  silenced,
  storeNotifications,
  type NotificationRow,
} from './notifications.repository.ts';

export type ResolvedStatus = 'pending' | 'accepted' | 'rejected';

/** The notification object of `notification:new` and of GET /notifications. */
export interface NotificationDto {
  id: string;
  userId: string;
  type: string;
  data: Record<string, unknown>;
  read: boolean;
  readAt: string | null;
  createdAt: string;
  /** For actionable types the current state of the request; null otherwise. */
  resolvedStatus: ResolvedStatus | null;
}

export interface NotifyOptions {
  /** Who caused it (mutes and blocks apply); inferred from the data when absent. */
  actorId?: string;
}

export interface Notifier {
  /** The stored notification, or null when the user's preferences or mutes kept it out of the app. */
  notify(
    userId: string,
    type: string,
    data: Record<string, unknown>,
    opts?: NotifyOptions,
  ): Promise<NotificationDto | null>;
  /**
   * For a type a feature pushes itself (`pushedByFeature`, e.g. DMs): whether this user wants it on
   * their devices — the type's `mobile` preference and the push suppressors (space mutes).
   */
  pushAllowed?(userId: string, type: string, data: Record<string, unknown>): Promise<boolean>;
  /**
   * Many notifications at once, under exactly the rules of `notify` (mutes, blocks, channel
   * preferences), in one statement. Results in item order. For a type the feature pushes itself
   * (`pushedByFeature`), `pushTo` says whether to push it: what `pushAllowed` decides, and the user
   * has a device.
   *
   *   const [r] = await notifier.notifyMany?.([{ userId, type: 'dm', data }]);
   */
  notifyMany?(items: NotifyItem[]): Promise<NotifyResult[]>;
}

export interface NotifyResult {
  /** The stored notification, or null when mutes, blocks or the in_app preference kept it out. */
  notification: NotificationDto | null;
  /** `pushedByFeature` types only: the `mobile` preference, no push suppressor, and a device. */
  pushTo: boolean;
}

export interface NotifyItem {
  userId: string;
  type: string;
  data: Record<string, unknown>;
  opts?: NotifyOptions;
}

/**
 * The current state of actionable notifications of one type, for one user: notification id →
 * status. Registered by the feature that owns the request (follows, DMs, portals).
 */
export type StatusResolver = (
  db: Db,
  userId: string,
  items: Array<{ id: string; data: Record<string, unknown> }>,
) => Promise<Map<string, ResolvedStatus>>;

/**
 * Decides that a notification is not pushed to this user's devices (it is still stored and shown).
 * Registered by the feature that knows why: spaces register "the user muted the space in
 * data.spaceId" (spec "Space Mutes": muting a space suppresses all its push notifications).
 */
export type PushSuppressor = (db: Db, userId: string, data: Record<string, unknown>) => Promise<boolean>;

export interface NotificationsPorts {
  db: Db;
  ids: Ids;
  clock: Clock;
  rooms: Rooms;
}

const ACTOR_KEYS = ['actorId', 'fromUserId', 'authorId', 'followerId'];

function actorOf(data: Record<string, unknown>, opts: NotifyOptions): string | null {
  if (opts.actorId) return opts.actorId;
  for (const k of ACTOR_KEYS) if (typeof data[k] === 'string') return data[k];
  return null;
}

/** Push data values must be strings (FCM); keep the scalar ones. */
function pushData(data: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(data)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

export class NotificationsService implements Notifier {
  readonly resolvers = new Map<string, StatusResolver>();
  readonly pushSuppressors: PushSuppressor[] = [];

  constructor(
    private readonly p: NotificationsPorts,
    private readonly prefs: PreferencesService,
    private readonly delivery: NotificationDelivery | null,
  ) {}

  async notify(
    userId: string,
    type: string,
    data: Record<string, unknown>,
    opts: NotifyOptions = {},
  ): Promise<NotificationDto | null> {
    const db = this.p.db;
    const actor = actorOf(data, opts);
    if (actor && actor !== userId && (await silenced(db, userId, actor))) return null;
    const channels = await this.prefs.channelsFor(db, userId, type);
    let dto: NotificationDto | null = null;
    if (channels.in_app) {
      const createdAt = new Date(this.p.clock.now());
      const id = this.p.ids.next();
      await insertNotification(db, { id, userId, type, data, createdAt });
      dto = {
        id,
        userId,
        type,
        data,
        read: false,
        readAt: null,
        createdAt: createdAt.toISOString(),
        resolvedStatus: isActionable(type) ? 'pending' : null,
      };
      this.p.rooms.emit(room.user(userId), 'notification:new', dto);
    }
    if (channels.mobile || channels.email) await this.deliverOut(db, { userId, type, data }, channels, dto);
    return dto;
  }

  /** The `mobile` and `email` channels of one notification (queued jobs). */
  private async deliverOut(
    db: Db,
    { userId, type, data }: NotifyItem,
    channels: Channels,
    dto: NotificationDto | null,
  ): Promise<void> {
    if (!this.delivery) return;
    const job = {
      userId,
      notificationId: dto?.id ?? null,
      type,
      ...describe(type, data),
      data: pushData(data),
    };
    if (
      channels.mobile &&
      !notificationType(type)?.pushedByFeature &&
      !(await this.pushSuppressed(db, userId, data))
    )
      await this.delivery.push(job);
    if (channels.email) await this.delivery.email(job);
  }

  async notifyMany(items: NotifyItem[]): Promise<NotifyResult[]> {
    const db = this.p.db;
    const createdAt = new Date(this.p.clock.now());
    const rows = items.map((it) => {
      const actor = actorOf(it.data, it.opts ?? {});
      return {
        id: this.p.ids.next(),
        userId: it.userId,
        type: it.type,
        data: it.data,
        // A non-numeric actor matches no user id, exactly as `silenced` would find nothing.
        actorId: actor && /^\d+$/.test(actor) ? actor : null,
        defaultInApp: defaultChannels(it.type).in_app,
      };
    });
    // One statement: the facts of every item, and the rows of those shown in the app.
    const facts = await storeNotifications(db, rows, createdAt);
    const out: NotifyResult[] = [];
    const later: Array<{ item: NotifyItem; channels: Channels; dto: NotificationDto | null }> = [];
    items.forEach((it, i) => {
      const f = facts[i]!;
      const channels = f.pref ?? defaultChannels(it.type);
      // As for `pushAllowed` (suppressors below): a feature's own push does not look at mutes.
      const pushTo = !!notificationType(it.type)?.pushedByFeature && channels.mobile && f.hasDevice === true;
      if (f.silenced) return void out.push({ notification: null, pushTo });
      const dto: NotificationDto | null = channels.in_app
        ? {
            id: rows[i]!.id,
            userId: it.userId,
            type: it.type,
            data: it.data,
            read: false,
            readAt: null,
            createdAt: createdAt.toISOString(),
            resolvedStatus: isActionable(it.type) ? 'pending' : null,
          }
        : null;
      out.push({ notification: dto, pushTo });
      if (channels.mobile || channels.email) later.push({ item: it, channels, dto });
    });
    for (const { notification: dto } of out)
      if (dto) this.p.rooms.emit(room.user(dto.userId), 'notification:new', dto);
    for (const { item, channels, dto } of later) await this.deliverOut(db, item, channels, dto);
    for (let i = 0; i < out.length; i++)
      if (out[i]!.pushTo && (await this.pushSuppressed(db, items[i]!.userId, items[i]!.data)))
        out[i]!.pushTo = false;
    return out;
  }

  /** GET /notifications */
  async pushAllowed(userId: string, type: string, data: Record<string, unknown>): Promise<boolean> {
    const db = this.p.db;
    if (!(await this.prefs.channelsFor(db, userId, type)).mobile) return false;
    return !(await this.pushSuppressed(db, userId, data));
  }

  /** True when a registered suppressor keeps this notification off the user's devices. */
  async pushSuppressed(db: Db, userId: string, data: Record<string, unknown>): Promise<boolean> {
    for (const suppress of this.pushSuppressors) if (await suppress(db, userId, data)) return true;
    return false;
  }

  async list(
    db: Db,
    userId: string,
    page: { before?: string | undefined; limit: number; unreadOnly: boolean },
  ): Promise<NotificationDto[]> {
    const rows = await listNotifications(db, userId, page);
    return this.toDtos(db, userId, rows);
  }

  /** GET /notifications/unread-count */
  async unreadCount(db: Db, userId: string): Promise<{ count: number }> {
    return { count: await countUnread(db, userId) };
  }

  /** PUT /notifications/:id/read */
  async read(db: Db, userId: string, id: string): Promise<NotificationDto> {
    const row = await markRead(db, userId, id, new Date(this.p.clock.now()));
    if (!row) throw notFound('Notification not found');
    const [dto] = await this.toDtos(db, userId, [row]);
    return dto!;
  }

  /** PUT /notifications/read-all */
  async readAll(db: Db, userId: string): Promise<{ success: true; updated: number }> {
    return { success: true, updated: await markAllRead(db, userId, new Date(this.p.clock.now())) };
  }

  private async toDtos(db: Db, userId: string, rows: NotificationRow[]): Promise<NotificationDto[]> {
    const statuses = new Map<string, ResolvedStatus>();
    const byType = new Map<string, Array<{ id: string; data: Record<string, unknown> }>>();
    for (const r of rows) {
      if (!isActionable(r.type)) continue;
      let list = byType.get(r.type);
      if (!list) byType.set(r.type, (list = []));
      list.push({ id: r.id, data: r.data });
    }
    for (const [type, items] of byType) {
      const resolve = this.resolvers.get(type);
      if (!resolve) continue;
      for (const [id, s] of await resolve(db, userId, items)) statuses.set(id, s);
    }
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      type: r.type,
      data: r.data,
      read: r.read_at !== null,
      readAt: r.read_at ? r.read_at.toISOString() : null,
      createdAt: r.created_at.toISOString(),
      resolvedStatus: isActionable(r.type) ? (statuses.get(r.id) ?? 'pending') : null,
    }));
  }
}
