/**
 * Valibot input schemas of the spec's "Workflows" section, with the shapes of API-DECISIONS.md
 * ("Workflow shapes"): actions `{ type, config }`, trigger configs, the condition tree, command args,
 * card fields and buttons.
 */
import * as v from 'valibot';
import { limitParam, snowflake, str, color } from '../http/validate.ts';

export const TRIGGER_TYPES = [
  'member_joined',
  'message_created',
  'image_uploaded',
  'gpx_uploaded',
  'slash_command',
  'card_interaction',
  'webhook',
] as const;
export type TriggerType = (typeof TRIGGER_TYPES)[number];

export const CONDITION_TYPES = [
  'user_has_role',
  'channel_is',
  'message_contains',
  'message_equals',
  'command_arg_equals',
  'card_field_equals',
  'card_field_not_null',
  'invite_code_is',
  'button_is',
  'webhook_payload_equals',
] as const;

const text = (max: number) => str(1, max);
const value = v.union([v.string(), v.number(), v.boolean()]);

const Rule = v.variant('type', [
  v.object({
    type: v.literal('user_has_role'),
    config: v.object({ roleId: snowflake }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('channel_is'),
    config: v.object({ channelId: snowflake }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.picklist(['message_contains', 'message_equals']),
    config: v.object({ value: str(0, 2000), caseSensitive: v.optional(v.boolean()) }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('command_arg_equals'),
    config: v.object({ arg: text(32), value }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('card_field_equals'),
    config: v.object({ field: text(64), value }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('card_field_not_null'),
    config: v.object({ field: text(64) }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('invite_code_is'),
    config: v.object({ code: text(64) }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('button_is'),
    config: v.object({ buttonId: text(64) }),
    negate: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('webhook_payload_equals'),
    config: v.object({ path: text(200), value: v.union([value, v.null()]) }),
    negate: v.optional(v.boolean()),
  }),
]);
export type ConditionRule = v.InferOutput<typeof Rule>;
export interface ConditionGroup {
  operator: 'AND' | 'OR';
  rules: (ConditionRule | ConditionGroup)[];
  negate?: boolean | undefined;
}

const MAX_RULES = 50;
export const ConditionGroupSchema: v.GenericSchema<ConditionGroup> = v.object({
  operator: v.picklist(['AND', 'OR']),
  rules: v.pipe(
    v.array(
      v.lazy((input) =>
        input && typeof input === 'object' && 'operator' in input ? ConditionGroupSchema : Rule,
      ),
    ),
    v.maxLength(MAX_RULES, `at most ${MAX_RULES} rules per group`),
  ),
  negate: v.optional(v.boolean()),
});

const optChannel = v.optional(snowflake);
const headers = v.pipe(
  v.record(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/, 'invalid header name')), str(0, 2000)),
  v.check((h) => Object.keys(h).length <= 20, 'at most 20 headers'),
);

export const ActionSchema = v.variant('type', [
  v.object({
    type: v.picklist(['send_message', 'send_admin_message']),
    config: v.object({ channelId: optChannel, content: text(4000) }),
  }),
  v.object({
    type: v.picklist(['add_role', 'remove_role']),
    config: v.object({ roleId: snowflake, userId: v.optional(str(1, 100)) }),
  }),
  v.object({
    type: v.literal('show_card'),
    config: v.object({ templateId: snowflake, channelId: optChannel }),
  }),
  v.object({
    type: v.literal('update_card'),
    config: v.object({
      fields: v.optional(v.record(text(64), str(0, 2000))),
      status: v.optional(v.picklist(['active', 'completed', 'dismissed'])),
    }),
  }),
  v.object({ type: v.literal('dismiss_card'), config: v.optional(v.object({}), {}) }),
  v.object({
    type: v.literal('send_webhook'),
    config: v.object({
      url: v.pipe(
        v.string(),
        v.url('must be a URL'),
        v.regex(/^https?:\/\//, 'must be http(s)'),
        v.maxLength(2000),
      ),
      method: v.optional(v.picklist(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])),
      headers: v.optional(headers),
      body: v.optional(v.union([str(0, 64 * 1024), v.record(v.string(), v.unknown())])),
    }),
  }),
  v.object({
    type: v.picklist(['copy_images_to_gallery', 'copy_routes_to_library']),
    config: v.object({ channelId: snowflake }),
  }),
  /** An addition to the spec: the admin's own JS, run in the plugins sandbox. */
  v.object({
    type: v.literal('run_script'),
    config: v.object({ code: text(64 * 1024) }),
  }),
  /** An action a plugin provides (plugins/): `{ pluginId, action, input? }`. */
  v.object({
    type: v.literal('plugin_action'),
    config: v.object({
      pluginId: text(100),
      action: text(100),
      input: v.optional(v.record(v.string(), v.unknown())),
    }),
  }),
]);
export type Action = v.InferOutput<typeof ActionSchema>;

const triggerConfig = v.nullish(v.record(v.string(), v.unknown()));

const workflowFields = {
  name: text(200),
  description: v.nullish(str(0, 2000)),
  triggerType: v.picklist(TRIGGER_TYPES),
  triggerConfig,
  conditions: v.nullish(ConditionGroupSchema),
  actions: v.pipe(
    v.array(ActionSchema),
    v.minLength(1, 'at least 1 action'),
    v.maxLength(20, 'at most 20 actions'),
  ),
  enabled: v.optional(v.boolean()),
};
export const WorkflowInput = v.object(workflowFields);
export const WorkflowPatch = v.partial(v.object(workflowFields));
export type WorkflowInputT = v.InferOutput<typeof WorkflowInput>;

/** Trigger configs (API-DECISIONS): checked against the trigger type once both are known. */
const TriggerConfigs: Record<TriggerType, v.GenericSchema<unknown>> = {
  slash_command: v.object({ commandName: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,32}$/)) }),
  card_interaction: v.object({ templateId: snowflake }),
  webhook: v.object({
    slug: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, - and _')),
  }),
  message_created: v.object({ channelId: optChannel }),
  image_uploaded: v.object({ channelId: optChannel }),
  gpx_uploaded: v.object({ channelId: optChannel }),
  member_joined: v.object({}),
};
export function triggerConfigSchema(t: TriggerType): v.GenericSchema<unknown> {
  return TriggerConfigs[t];
}

export const ARG_TYPES = ['text', 'number', 'user', 'channel', 'role', 'boolean'] as const;
const CommandArg = v.object({
  name: v.pipe(v.string(), v.regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, - and _ (1-32)')),
  type: v.picklist(ARG_TYPES),
  description: v.optional(str(0, 200), ''),
  required: v.optional(v.boolean(), false),
});
export type CommandArgT = v.InferOutput<typeof CommandArg>;
const commandFields = {
  name: v.pipe(
    v.string(),
    v.regex(/^[a-z0-9-]{1,32}$/, 'must be 1-32 chars, lowercase alphanumeric and hyphens'),
  ),
  description: text(200),
  args: v.nullish(
    v.pipe(
      v.array(CommandArg),
      v.maxLength(10, 'at most 10 arguments'),
      v.check((a) => new Set(a.map((x) => x.name)).size === a.length, 'argument names must be unique'),
    ),
  ),
};
export const CommandInput = v.object(commandFields);
export const CommandPatch = v.partial(v.object(commandFields));
export const InvokeInput = v.object({
  channelId: snowflake,
  args: v.optional(v.record(v.string(), v.unknown())),
});

const CardField = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _')),
  label: text(100),
  type: v.picklist(['text', 'select', 'role', 'user', 'channel']),
  options: v.optional(v.pipe(v.array(text(100)), v.maxLength(25))),
});
export type CardFieldT = v.InferOutput<typeof CardField>;
const CardButton = v.object({
  id: v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _')),
  label: text(80),
  style: v.picklist(['primary', 'secondary', 'danger']),
});
export type CardButtonT = v.InferOutput<typeof CardButton>;
const templateFields = {
  name: text(200),
  titleTemplate: text(500),
  bodyTemplate: v.nullish(str(0, 4000)),
  color: v.nullish(color),
  fields: v.nullish(v.pipe(v.array(CardField), v.maxLength(10, 'at most 10 fields'))),
  buttons: v.nullish(v.pipe(v.array(CardButton), v.maxLength(5, 'at most 5 buttons'))),
};
export const CardTemplateInput = v.object(templateFields);
export const CardTemplatePatch = v.partial(v.object(templateFields));
export const InteractInput = v.object({
  buttonId: v.optional(text(64)),
  fields: v.optional(v.record(v.string(), str(0, 2000))),
});

export const ExecutionsQuery = v.object({
  workflowId: v.optional(snowflake),
  limit: limitParam(50, 100),
  before: v.optional(snowflake),
});
