/**
 * Notifications, the smallest useful part (spec "Notifications"): `notify(userId, type, data)` stores
 * a row and emits `notification:new` (the row, as the client will list it) to `user:<id>`. The
 * social/notifications feature owns listing, read state and push preferences, and extends this.
 */
import type { ColumnType } from 'kysely';
import type { Id, Timestamp, TimestampDefault } from '../../engine/db/schema.ts';
import type { Db } from '../../engine/db/index.ts';
import type { Clock } from '../../engine/clock.ts';
import type { Ids } from '../../engine/ids.ts';
import { room, type Rooms } from '../../engine/rooms.ts';

export interface NotificationsTable {
  id: Id;
  user_id: Id;
  type: string;
  data: ColumnType<Record<string, unknown>, string, string>;
  read_at: Timestamp | null;
  created_at: TimestampDefault;
}

declare module '../../engine/db/schema.ts' {
  interface Database {
    notifications: NotificationsTable;
  }
}

/** The notification object of `notification:new` and of GET /notifications. */
export interface NotificationDto {
  id: string;
  userId: string;
  type: string;
  data: Record<string, unknown>;
  read: boolean;
  readAt: string | null;
  createdAt: string;
}

export interface Notifier {
  notify(userId: string, type: string, data: Record<string, unknown>): Promise<NotificationDto>;
}

export interface NotifierPorts {
  db: Db;
  ids: Ids;
  clock: Clock;
  rooms: Rooms;
}

export function createNotifier({ db, ids, clock, rooms }: NotifierPorts): Notifier {
  return {
    async notify(userId, type, data) {
      const id = ids.next();
      const createdAt = new Date(clock.now());
      await db
        .insertInto('notifications')
        .values({ id, user_id: userId, type, data: JSON.stringify(data), created_at: createdAt })
        .execute();
      const dto: NotificationDto = {
        id,
        userId,
        type,
        data,
        read: false,
        readAt: null,
        createdAt: createdAt.toISOString(),
      };
      rooms.emit(room.user(userId), 'notification:new', dto);
      return dto;
    },
  };
}
