/**
 * The domain services a route may use, built once on the engine. Features add their service here.
 * `start` / `stop` let long-lived services (realtime gateway, actor host) hook into the app's life.
 */
import type uWS from 'uWebSockets.js';
import type { Engine } from '../engine/index.ts';
import { createAccounts, type Accounts } from '../domain/accounts/index.ts';
import { createAuthenticator } from '../domain/accounts/authenticate.ts';
import { createGateway, startGateway, type Gateway } from './realtime/index.ts';
import type { AuthUser } from '../engine/auth/types.ts';
import type { Notifier } from '../domain/notifications/notifier.ts';
import { createNotifications, type Notifications } from '../domain/notifications/index.ts';
import { createSocial, createSpacesSocial, noCollections, type Social } from '../domain/social/index.ts';
import { createPush, type Push } from '../domain/devices/index.ts';
import { createDirectMessages, type DirectMessages } from '../domain/conversations/index.ts';
import { createCalls, type CallsService, type VoiceChannelDirectory } from '../domain/calls/index.ts';
import { createSpaces, type Spaces } from '../domain/spaces/index.ts';
import { createTimelineFeature, type TimelineFeature } from './wiring/timeline.ts';
import { createPluginsFeature, type PluginsFeature } from './wiring/plugins.ts';
import { createWorkflowsFeature, type WorkflowsFeature } from './wiring/workflows.ts';
import { createCalendarFeature, type CalendarFeature } from './wiring/calendar.ts';
import { createMeetingRoomsFeature, type MeetingRoomsFeature } from './wiring/meeting-rooms.ts';

/** One kind of message for GET /messages/:messageId: the message if the user may see it, else null. */
export type MessageLookup = (user: AuthUser, messageId: string) => Promise<unknown>;

export interface Services {
  accounts: Accounts;
  /** The realtime gateway: room access and socket command registries, presence (http/realtime). */
  realtime: Gateway;
  /** Notifications: store + notification:new (domain/notifications/notifier.ts). */
  notifier: Notifier;
  /** Notifications feature: list, read state, preferences, push/email delivery (domain/notifications). */
  notifications: Notifications;
  /** Follows, posts, feed, comments, reactions (domain/social). */
  social: Social;
  /** Push devices and dispatch (domain/devices). */
  push: Push;
  /** Direct messages: conversation actors, messages (domain/conversations). */
  dms: DirectMessages;
  calls: CallsService;
  /** Voice channels for calls: the spaces feature sets its directory here (until then none: 404). */
  voiceChannels: VoiceChannelDirectory;
  /** GET /messages/:messageId: one lookup per kind of message (DMs; channel messages add theirs). */
  messageLookups: MessageLookup[];
  /** Spaces, channels, messages, forum threads: the space actor kind and its services (domain/spaces). */
  spaces: Spaces;
  /** Pages, library, timeline events (http/wiring/timeline.ts). */
  timeline: TimelineFeature;
  /** Plugins and the isolated-vm sandbox (http/wiring/plugins.ts). */
  plugins: PluginsFeature;
  /** Workflows, slash commands, cards, incoming webhooks (http/wiring/workflows.ts). */
  workflows: WorkflowsFeature;
  /** Calendar, series, RSVP, organizers, personal events (http/wiring/calendar.ts). */
  calendar: CalendarFeature;
  /** Meeting rooms and public guests (http/wiring/meeting-rooms.ts). */
  meetingRooms: MeetingRoomsFeature;
  start?(app: uWS.TemplatedApp): Promise<void>;
  stop?(): Promise<void>;
}

export function createServices(engine: Engine): Services {
  const realtime = createGateway(engine, createAuthenticator(engine));
  const accounts = createAccounts(engine);
  const push = createPush(engine);
  const notifications = createNotifications(engine, { sender: push.sender });
  const notifier = notifications.notifier;
  const dms = createDirectMessages(engine, {
    notifier,
    push: push.service,
    spaces: () => accounts.spaces,
    membership: () => realtime,
  });
  accounts.hooks.onBlock.push((trx, a, b) => dms.conversations.declineOnBlock(trx, a, b));
  const spaces = createSpaces(engine, { notifier, sockets: () => realtime });
  accounts.spaces = spaces.directory;
  accounts.hooks.onUserDeleted.push(spaces.onUserDeleted);
  const socialSpaces = createSpacesSocial(() => spaces.settings);
  const social = createSocial(engine, {
    notifier,
    canViewProfile: (db, viewerId, ownerId) => accounts.profiles.canViewProfile(db, viewerId, ownerId),
    directory: () => accounts.spaces,
    spaces: () => socialSpaces,
    share: () => ({
      toChannel: (db, userId, channelId, content) => spaces.messages.send(db, userId, channelId, { content }),
      toDm: (_db, userId, conversationId, content) => dms.messages.send(userId, conversationId, content),
    }),
    collections: () => noCollections,
  });
  notifications.service.resolvers.set('follow_request', social.follows.resolveRequests);
  notifications.service.pushSuppressors.push((db, userId, data) =>
    spaces.settings.pushMuted(db, userId, data),
  );
  const services: Services = {
    accounts,
    realtime,
    notifier,
    notifications,
    social,
    push,
    dms,
    calls: createCalls(engine, {
      conversations: dms.conversations,
      push: push.service,
      voiceChannels: () => services.voiceChannels,
    }),
    voiceChannels: spaces.voiceChannels,
    messageLookups: [
      (user, messageId) => dms.messages.lookup(user.id, messageId),
      (user, messageId) => spaces.messages.lookup(engine.db.db, user.id, messageId),
    ],
    spaces,
    // Features built on the ones above; each gets a getter for the finished Services.
    timeline: createTimelineFeature(engine, () => services),
    plugins: createPluginsFeature(engine, () => services),
    workflows: createWorkflowsFeature(engine, () => services),
    calendar: createCalendarFeature(engine, () => services),
    meetingRooms: createMeetingRoomsFeature(engine, () => services),
    async start(app) {
      startGateway(realtime, app);
    },
    async stop() {
      for (const f of [
        services.meetingRooms,
        services.calendar,
        services.workflows,
        services.plugins,
        services.timeline,
      ])
        await f.stop?.();
      await realtime.stop();
      await spaces.stop();
      dms.waiters.close();
      await push.sender.close();
    },
  };
  return services;
}
