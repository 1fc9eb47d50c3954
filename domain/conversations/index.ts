/**
 * Direct messages (spec "Direct Messages"): the conversation actor kind, and the services routes use.
 *
 *   const dms = createDirectMessages(engine, { notifier, push, spaces, membership });
 *   await dms.conversations.open(meId, otherId);
 *   await dms.messages.send(meId, conversationId, 'hi');
 */
import type { Engine } from '../../engine/index.ts';
import { conversationKind } from '../../actors/conversation/conversation.effects.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { PushService } from '../devices/push.service.ts';
import { ConversationsService, type SharedSpaces } from './conversations.service.ts';
import { MessagesService } from './messages.service.ts';
import { PersistWaiters } from './persist-waiters.ts';
import {
  deliveryPorts,
  notifyRecipients,
  NOTIFY_QUEUE,
  type NotifyJob,
  type RoomMembership,
} from './delivery.ts';

export { ConversationsService, type SharedSpaces } from './conversations.service.ts';
export { MessagesService, MAX_FILES } from './messages.service.ts';
export type { RoomMembership } from './delivery.ts';
export type { ConversationDto, MessageDto } from './conversations.schema.ts';
export * as schema from './conversations.schema.ts';

export interface DirectMessages {
  conversations: ConversationsService;
  messages: MessagesService;
  waiters: PersistWaiters;
}

export interface DirectMessagesDeps {
  notifier: Notifier;
  push: PushService;
  spaces: () => SharedSpaces;
  membership: () => RoomMembership;
}

/** A write that is not confirmed within this time is handed to the writer again (durable timer). */
const PERSIST_RETRY_MS = 10_000;
const SEND_TIMEOUT_MS = 30_000;
const BLOCK_QUEUE = 'dm.block-decline';

export function createDirectMessages(engine: Engine, deps: DirectMessagesDeps): DirectMessages {
  const { db } = engine.db;
  const waiters = new PersistWaiters(engine.bus, engine.config.NAMESPACE);
  const conversations = new ConversationsService({
    db,
    ids: engine.ids,
    clock: engine.clock,
    actors: engine.actors,
    spaces: deps.spaces,
    membership: deps.membership,
    // After the block's transaction commits (retried until the block is visible).
    onBlocked: (a, b) =>
      engine.jobs.enqueue(BLOCK_QUEUE, { a, b }, { delayMs: 50, attempts: 8, backoffMs: 100 }),
  });
  engine.jobs.process<{ a: string; b: string }>(BLOCK_QUEUE, async ({ a, b }) => {
    if ((await conversations.declinePendingBetween(a, b)) === null) throw new Error('block not visible yet');
  });
  const messages = new MessagesService({
    db,
    ids: engine.ids,
    clock: engine.clock,
    rooms: engine.rooms,
    storage: engine.storage,
    log: engine.log,
    conversations,
    sendTimeoutMs: SEND_TIMEOUT_MS,
    attemptTimeoutMs: engine.config.ACTOR_ASK_TIMEOUT_MS,
  });
  const delivery = {
    db,
    jobs: engine.jobs,
    rooms: engine.rooms,
    notifier: deps.notifier,
    push: deps.push,
    membership: deps.membership,
  };
  engine.jobs.process<NotifyJob>(NOTIFY_QUEUE, (job) => notifyRecipients(delivery, job), { concurrency: 4 });
  engine.actors.register(conversationKind(deliveryPorts(delivery), { persistRetryMs: PERSIST_RETRY_MS }));
  return { conversations, messages, waiters };
}
