/** What the calendar needs from the engine and from other features, bound at the composition root. */
import type { Clock } from '../../engine/clock.ts';
import type { Db } from '../../engine/db/index.ts';
import type { Ids } from '../../engine/ids.ts';
import type { Logger } from '../../engine/log.ts';
import type { Rooms } from '../../engine/rooms.ts';
import type { Storage } from '../../engine/storage.ts';
import type { Notifier } from '../notifications/notifier.ts';

export interface CalendarPorts {
  ids: Ids;
  clock: Clock;
  rooms: Rooms;
  storage: Storage;
  log: Logger;
  /** Only `notify` is used (a narrow port: the notifier's other members are not the calendar's business). */
  notifier: Pick<Notifier, 'notify'>;
  /** Base URL of the web app (meeting links in the ICS feed). */
  publicUrl: string;
  /** Profile visibility gate of another user's collections (spec "Profile Visibility Gate"). */
  canViewProfile(db: Db, viewerId: string, ownerId: string): Promise<boolean>;
}

/** The web link of an event's public meeting room (ICS X-MEETING-URL, invite links). */
export function meetingUrl(publicUrl: string, spaceSlug: string, eventId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/public/calendar/${encodeURIComponent(spaceSlug)}/events/${eventId}/meeting`;
}
