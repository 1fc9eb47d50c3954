/**
 * The notifier other features call: `notify(userId, type, data, opts?)` (see notifications.service.ts
 * for the delivery rules). Kept as the import path the first callers (DMs, channel messages) use;
 * the composition root builds the full feature with `createNotifications` (index.ts).
 */
import type { Clock } from '../../engine/clock.ts';
import type { Db } from '../../engine/db/index.ts';
import type { Ids } from '../../engine/ids.ts';
import type { Rooms } from '../../engine/rooms.ts';
import { NotificationsService, type Notifier } from './notifications.service.ts';
import { PreferencesService } from './preferences.service.ts';

export type {
  Notifier,
  NotificationDto,
  NotifyItem,
  NotifyOptions,
  NotifyResult,
} from './notifications.service.ts';
export type { NotificationsTable } from './tables.ts';

export interface NotifierPorts {
  db: Db;
  ids: Ids;
  clock: Clock;
  rooms: Rooms;
}

/** In-app only (no push or email delivery): for callers without the jobs and push ports. */
export function createNotifier(ports: NotifierPorts): Notifier {
  return new NotificationsService(ports, new PreferencesService(ports.clock), null);
}
