/**
 * Timeline events (issue 8; timeline-api "User Timeline API"): recommendations, notifications by
 * approved users, reviews, personal recommendations; the feed, hiding, deleting.
 *
 *   const timeline = createTimeline(engine, { notifier });
 *   await timeline.events.feed(db, userId, { count: 25 });
 */
import { TimelineEventsService } from './events.service.ts';
import type { TimelineDeps, TimelinePorts } from './ports.ts';

export type { TimelineDeps, TimelinePorts } from './ports.ts';
export type { TimelineEventType } from './tables.ts';
export type { TimelineEventDto } from './events.schema.ts';
export {
  TimelineEventsService,
  HIDEABLE_TYPES,
  type TimelineUser,
  type ApprovedUser,
} from './events.service.ts';
export * as timelineSchema from './events.schema.ts';

export interface Timeline {
  events: TimelineEventsService;
}

export function createTimeline(ports: TimelinePorts, deps: TimelineDeps): Timeline {
  return { events: new TimelineEventsService(ports, deps) };
}
