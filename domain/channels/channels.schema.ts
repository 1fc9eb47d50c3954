/** Inputs and outputs of "Channels", overrides, channel members, categories, unreads and entry. */
import * as v from 'valibot';
import type { Selectable } from 'kysely';
import type { ChannelType } from '../../actors/space/space.events.ts';
import { snowflake, str, trimmed } from '../spaces/inputs.ts';
import { bits } from '../spaces/spaces.schema.ts';
import type { ChannelCategoriesTable, ChannelsTable } from '../spaces/tables.ts';

export type ChannelRow = Selectable<ChannelsTable>;
export type CategoryRow = Selectable<ChannelCategoriesTable>;

export const CHANNEL_TYPES: readonly ChannelType[] = [
  'text',
  'announcement',
  'read_only',
  'forum',
  'media_gallery',
  'route_library',
  'voice',
];
const channelName = v.pipe(
  v.string(),
  v.trim(),
  v.toLowerCase(),
  v.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and hyphens'),
  v.maxLength(100, 'must be at most 100 characters'),
);
const channelType = v.picklist(CHANNEL_TYPES, `must be one of ${CHANNEL_TYPES.join(', ')}`);
const identityMode = v.picklist(
  ['anonymous', 'email_verify', 'require_login'],
  'must be anonymous, email_verify or require_login',
);

const voiceFields = {
  publicVoiceAccess: v.optional(v.boolean()),
  publicVoiceChat: v.optional(v.boolean()),
  publicVoiceParticipation: v.optional(v.boolean()),
  voicePassword: v.optional(v.nullable(str(1, 255))),
  voiceIdentityMode: v.optional(identityMode),
};

export const CreateChannelInput = v.object({
  name: channelName,
  topic: v.optional(v.nullable(str(0, 1024))),
  type: v.optional(channelType, 'text'),
  isPrivate: v.optional(v.boolean(), false),
  isPublic: v.optional(v.boolean(), false),
  categoryId: v.optional(v.nullable(snowflake)),
  memberIds: v.optional(v.pipe(v.array(snowflake), v.maxLength(1000)), []),
  roleOverrides: v.optional(v.pipe(v.array(snowflake), v.maxLength(100)), []),
  ...voiceFields,
});
export type CreateChannelInput = v.InferOutput<typeof CreateChannelInput>;

export const PatchChannelInput = v.object({
  name: v.optional(channelName),
  topic: v.optional(v.nullable(str(0, 1024))),
  type: v.optional(channelType),
  isPublic: v.optional(v.boolean()),
  isPrivate: v.optional(v.boolean()),
  position: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000))),
  categoryId: v.optional(v.nullable(snowflake)),
  ...voiceFields,
});
export type PatchChannelInput = v.InferOutput<typeof PatchChannelInput>;

export const ReorderChannelsInput = v.object({
  channels: v.pipe(
    v.array(
      v.object({
        channelId: snowflake,
        position: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
        categoryId: v.optional(v.nullable(snowflake)),
      }),
    ),
    v.maxLength(500),
  ),
});
export const OverrideInput = v.object({ allow: bits, deny: bits });
export const CategoryInput = v.object({ name: trimmed(1, 100) });
export const PatchCategoryInput = v.object({
  name: v.optional(trimmed(1, 100)),
  position: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000))),
});
export const ReorderCategoriesInput = v.object({
  categories: v.pipe(
    v.array(
      v.object({
        categoryId: snowflake,
        position: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
      }),
    ),
    v.maxLength(500),
  ),
});
export const EnterQuery = v.object({ channelId: v.optional(snowflake) });

export interface ChannelDto {
  id: string;
  spaceId: string;
  name: string;
  topic: string | null;
  type: string;
  isPrivate: boolean;
  isPublic: boolean;
  isAdminChannel: boolean;
  categoryId: string | null;
  position: number;
  createdAt: string;
  publicVoiceAccess?: boolean;
  publicVoiceChat?: boolean;
  publicVoiceParticipation?: boolean;
  voiceIdentityMode?: string;
  voiceHasPassword?: boolean;
  /** Set on a channel mirrored into this space from another (spec "Portals"). */
  portal?: { portalId: string; sourceSpaceId: string };
}

export function toChannel(r: ChannelRow): ChannelDto {
  const dto: ChannelDto = {
    id: r.id,
    spaceId: r.space_id,
    name: r.name,
    topic: r.topic,
    type: r.type,
    isPrivate: r.is_private,
    isPublic: r.is_public,
    isAdminChannel: r.is_admin,
    categoryId: r.category_id,
    position: r.position,
    createdAt: r.created_at.toISOString(),
  };
  if (r.type === 'voice') {
    dto.publicVoiceAccess = r.voice.publicVoiceAccess ?? false;
    dto.publicVoiceChat = r.voice.publicVoiceChat ?? false;
    dto.publicVoiceParticipation = r.voice.publicVoiceParticipation ?? false;
    dto.voiceIdentityMode = r.voice.voiceIdentityMode ?? 'anonymous';
    dto.voiceHasPassword = r.voice_password_hash !== null;
  }
  return dto;
}

export function toCategory(r: CategoryRow) {
  return {
    id: r.id,
    spaceId: r.space_id,
    name: r.name,
    position: r.position,
    createdAt: r.created_at.toISOString(),
  };
}
export type CategoryDto = ReturnType<typeof toCategory>;
