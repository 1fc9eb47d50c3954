/** A trigger as the engine runs it: the spec's trigger context plus the loop-guard chain. */
import type { AttachmentRef } from '../actors/space/space.events.ts';
import type { TriggerType } from './schema.ts';

export interface TriggerEvent {
  type: TriggerType;
  spaceId: string;
  userId: string | null;
  channelId?: string | null;
  messageId?: string | null;
  messageContent?: string | null;
  attachments?: AttachmentRef[];
  inviteCode?: string | null;
  commandName?: string;
  args?: Record<string, unknown>;
  cardInstanceId?: string;
  templateId?: string;
  buttonId?: string | null;
  fields?: Record<string, string>;
  card?: Record<string, unknown>;
  webhookSlug?: string;
  webhookMethod?: 'GET' | 'POST';
  payload?: unknown;
  /** Ids of the workflows whose actions caused this trigger, oldest first (empty for a user's act). */
  chain: string[];
}
