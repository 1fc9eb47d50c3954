/**
 * The spaces feature (spec "Spaces" .. "Portals", channels, messages, forum threads): the space
 * actor kind with its effects, and the services routes use. Other folders import from here only.
 *
 *   const spaces = createSpaces(engine, { notifier, sockets: () => gateway });
 *   services.accounts.spaces = spaces.directory;
 *   await spaces.messages.send(db, userId, channelId, { content: 'hi' });
 */
import type { Engine } from '../../engine/index.ts';
import { SpaceAcks } from '../../actors/space/space.acks.ts';
import { SpaceClient } from '../../actors/space/space.client.ts';
import { spaceActorKind } from '../../actors/space/space.effects.ts';
import { MessageWriter } from '../../actors/space/space.writer.ts';
import type { Notifier } from '../notifications/notifier.ts';
import { ChannelsService } from '../channels/channels.service.ts';
import { EntryService } from '../channels/entry.service.ts';
import { createMessageSink } from '../messages/delivery.ts';
import { ForumService } from '../messages/forum.service.ts';
import { MessagesService } from '../messages/messages.service.ts';
import type { SpacesDeps } from './deps.ts';
import { createSpaceDirectory, roomAccess, shareSpace, voiceChannels } from './directory.ts';
import { createSpaceLoader } from './loader.ts';
import { processUserDeleted, userDeletedHook } from './accounts-hooks.ts';
import { MembersService } from './members.service.ts';
import { PortalsService } from './portals.service.ts';
import { createProjection, type RoomMembership } from './projection.ts';
import { ReportsService } from './reports.service.ts';
import { RolesService } from './roles.service.ts';
import { SettingsService } from './settings.service.ts';
import { SpacesService } from './spaces.service.ts';

export type { RoomMembership } from './projection.ts';
export { Permission } from '../../actors/space/permissions.ts';

export interface SpacesFeatureDeps {
  notifier: Notifier;
  /** The realtime gateway, once built (moves users' sockets into and out of rooms). */
  sockets: () => RoomMembership | null;
}

/** Writer lanes (parallel batches across spaces) and batch size; a space always uses one lane. */
const WRITER_LANES = 4;
const WRITER_MAX_BATCH = 500;

export function createSpaces(engine: Engine, deps: SpacesFeatureDeps) {
  const { db } = engine.db;
  const acks = new SpaceAcks(
    engine.bus,
    engine.config.NAMESPACE,
    engine.nodeName,
    engine.config.ACTOR_ASK_TIMEOUT_MS * 2,
  );
  acks.start();
  const sink = createMessageSink({
    db,
    rooms: engine.rooms,
    bus: engine.bus,
    namespace: engine.config.NAMESPACE,
    notifier: deps.notifier,
    log: engine.log,
  });
  const writer = new MessageWriter(sink, acks, {
    lanes: WRITER_LANES,
    maxBatch: WRITER_MAX_BATCH,
    attempts: 3,
    log: engine.log,
  });
  engine.actors.register(
    spaceActorKind({
      project: createProjection({ db, rooms: engine.rooms, sockets: deps.sockets }),
      writer,
      acks,
      bus: engine.bus,
      namespace: engine.config.NAMESPACE,
    }),
  );
  const client = new SpaceClient(
    engine.actors,
    acks,
    engine.ids,
    createSpaceLoader(db, () => engine.clock.now()),
  );
  const d: SpacesDeps = { ports: engine, actors: client, writer, notifier: deps.notifier };
  processUserDeleted(engine.jobs, client);
  const channels = new ChannelsService(d);
  const messages = new MessagesService(d);
  return {
    client,
    writer,
    spaces: new SpacesService(d),
    members: new MembersService(d),
    roles: new RolesService(d),
    settings: new SettingsService(d),
    reports: new ReportsService(d),
    portals: new PortalsService(d),
    channels,
    entry: new EntryService(d, channels),
    messages,
    forum: new ForumService(d, messages),
    /** accounts' SpaceDirectory (profile handles, "shares a space"). */
    directory: createSpaceDirectory(),
    /** accounts' onUserDeleted hook (memberships and owned spaces of a deleted account). */
    onUserDeleted: userDeletedHook(engine.jobs),
    /** conversations' SharedSpaces. */
    sharedSpaces: { shareSpace },
    /** calls' VoiceChannelDirectory. */
    voiceChannels: voiceChannels(db),
    /** The realtime gateway's room access and guest-visit policy. */
    rooms: roomAccess(db),
    async stop(): Promise<void> {
      await writer.drain(2000);
      acks.stop();
    },
  };
}

export type Spaces = ReturnType<typeof createSpaces>;
