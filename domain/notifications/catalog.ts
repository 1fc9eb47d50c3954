/**
 * Every notification type reef sends (spec "Notifications": the list of types), how the settings
 * page groups them (social-graph-api "Notification Preferences"), each type's default channels, and
 * the text of its push / email. Features create notifications through `Notifier.notify`; a type
 * not listed here still works, with every channel on.
 */
export type Channel = 'email' | 'in_app' | 'mobile';
export const CHANNELS: readonly Channel[] = ['email', 'in_app', 'mobile'];
export type Channels = Record<Channel, boolean>;

export interface NotificationType {
  id: string;
  group: string;
  name: string;
  description: string;
  defaults: Channels;
  /**
   * The feature pushes this type itself, with its own payload (DMs: `PushService` kind 'dm'), so a
   * stored notification does not push a second time.
   */
  pushedByFeature?: boolean;
  /** Actionable types carry `resolvedStatus` (spec: follow_request, dm_request, portal_invite). */
  actionable?: boolean;
}

const on: Channels = { email: false, in_app: true, mobile: true };

export const NOTIFICATION_TYPES: readonly NotificationType[] = [
  {
    id: 'dm',
    group: 'Messages',
    name: 'Direct messages',
    description: 'When you receive a direct message',
    defaults: on,
    pushedByFeature: true,
  },
  {
    id: 'dm_request',
    group: 'Messages',
    name: 'Message requests',
    description: 'When someone you do not know wants to message you',
    defaults: on,
    actionable: true,
  },
  {
    id: 'mention',
    group: 'Messages',
    name: 'Mentions',
    description: 'When someone mentions you in a channel',
    defaults: on,
  },
  {
    id: 'reply',
    group: 'Messages',
    name: 'Replies',
    description: 'When someone replies to your message',
    defaults: on,
  },
  {
    id: 'follow_request',
    group: 'Social',
    name: 'Follow requests',
    description: 'When someone asks to follow you',
    defaults: on,
    actionable: true,
  },
  {
    id: 'post_tag',
    group: 'Social',
    name: 'Tags',
    description: 'When someone tags you in a post',
    defaults: on,
  },
  {
    id: 'post_comment',
    group: 'Social',
    name: 'Comments',
    description: 'When someone comments on your post or replies to your comment',
    defaults: on,
  },
  {
    id: 'reaction',
    group: 'Social',
    name: 'Reactions',
    description: 'When someone reacts to your post or comment',
    defaults: on,
  },
  {
    id: 'portal_invite',
    group: 'Spaces',
    name: 'Portal invites',
    description: 'When a space invites yours to share a channel',
    defaults: on,
    actionable: true,
  },
  {
    id: 'new_blog_post',
    group: 'Spaces',
    name: 'Blog posts',
    description: 'When a space you belong to publishes a blog post',
    defaults: on,
  },
  {
    id: 'new_event',
    group: 'Events',
    name: 'New events',
    description: 'When an event is created in a space you belong to',
    defaults: on,
  },
  {
    id: 'event_rsvp',
    group: 'Events',
    name: 'RSVPs',
    description: 'When someone RSVPs to your event',
    defaults: on,
  },
  {
    id: 'event_cancelled',
    group: 'Events',
    name: 'Cancelled events',
    description: 'When an event you are going to is cancelled',
    defaults: on,
  },
  {
    id: 'event_organizer_needed',
    group: 'Events',
    name: 'Organizer needed',
    description: 'When an event in your space needs an organizer',
    defaults: on,
  },
  {
    id: 'new_upload',
    group: 'Pages',
    name: 'New from pages you follow',
    description: 'When a page you follow posts',
    defaults: on,
  },
  {
    id: 'personal_recommendation',
    group: 'Pages',
    name: 'Personal recommendations',
    description: 'When someone you follow recommends something to you',
    defaults: on,
  },
];

const BY_ID = new Map(NOTIFICATION_TYPES.map((t) => [t.id, t]));
const ALL_ON: Channels = { email: true, in_app: true, mobile: true };

export function notificationType(id: string): NotificationType | undefined {
  return BY_ID.get(id);
}

export function defaultChannels(type: string): Channels {
  return BY_ID.get(type)?.defaults ?? ALL_ON;
}

export function isActionable(type: string): boolean {
  return BY_ID.get(type)?.actionable === true;
}

const s = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Who did it, from the usual keys of a notification's data. */
function who(data: Record<string, unknown>): string {
  const name =
    s(data['actorDisplayName']) ??
    s(data['actorUsername']) ??
    s(data['fromDisplayName']) ??
    s(data['fromUsername']) ??
    s(data['authorDisplayName']) ??
    s(data['authorUsername']) ??
    s(data['rsvpDisplayName']) ??
    s(data['rsvpUsername']);
  return name ?? 'Someone';
}

/** Title and body of the push / email of a notification. */
export function describe(type: string, data: Record<string, unknown>): { title: string; body: string } {
  const by = who(data);
  switch (type) {
    case 'follow_request':
      return { title: 'New follow request', body: `${by} wants to follow you` };
    case 'post_tag':
      return { title: 'You were tagged', body: `${by} tagged you in a post` };
    case 'post_comment':
      return { title: 'New comment', body: `${by} commented: ${s(data['preview']) ?? ''}`.trim() };
    case 'reaction':
      return {
        title: 'New reaction',
        body: `${by} reacted ${s(data['emoji']) ?? ''} to your ${data['commentId'] ? 'comment' : 'post'}`,
      };
    case 'mention':
      return { title: 'You were mentioned', body: `${by}: ${s(data['preview']) ?? ''}` };
    case 'reply':
      return { title: 'New reply', body: `${by}: ${s(data['preview']) ?? ''}` };
    case 'dm':
      return { title: by, body: s(data['preview']) ?? 'New message' };
    case 'dm_request':
      return { title: 'Message request', body: `${by} wants to message you` };
    case 'portal_invite':
      return {
        title: 'Portal invite',
        body: `${s(data['spaceName']) ?? 'A space'} invited your space to a portal`,
      };
    case 'new_event':
      return { title: s(data['spaceName']) ?? 'New event', body: `New event: ${s(data['eventName']) ?? ''}` };
    case 'event_rsvp':
      return { title: 'New RSVP', body: `${by} RSVP'd to ${s(data['eventName']) ?? 'your event'}` };
    case 'event_cancelled':
      return { title: 'Event cancelled', body: `${s(data['eventName']) ?? 'An event'} was cancelled` };
    case 'event_organizer_needed':
      return { title: 'Organizer needed', body: `${s(data['eventName']) ?? 'An event'} needs an organizer` };
    case 'new_blog_post':
      return {
        title: s(data['spaceName']) ?? 'New blog post',
        body: s(data['postTitle']) ?? 'A new blog post',
      };
    case 'new_upload':
      return {
        title: s(data['spaceName']) ?? 'New post',
        body: s(data['preview']) ?? 'A page you follow posted',
      };
    case 'personal_recommendation':
      return {
        title: 'A recommendation for you',
        body: `${s(data['actorUsername']) ?? 'Someone'}: ${s(data['preview']) ?? ''}`,
      };
    default:
      return { title: 'New notification', body: type.replace(/_/g, ' ') };
  }
}
