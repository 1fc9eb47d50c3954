/**
 * The condition tree (API-DECISIONS "Workflow shapes"): groups `{ operator: AND|OR, rules, negate? }`
 * of rules `{ type, config, negate? }`. Pure: everything a rule looks at is in the RunFacts.
 */
import type { ConditionGroup, ConditionRule } from './schema.ts';
import { lookup } from './templates.ts';

/** What conditions may look at, gathered once per run. */
export interface RunFacts {
  userRoleIds: string[];
  channelId: string | null;
  messageContent: string | null;
  args: Record<string, unknown>;
  fields: Record<string, string>;
  inviteCode: string | null;
  buttonId: string | null;
  payload: unknown;
}

/** Loose equality: same type compares strictly; otherwise as strings ("3" equals 3, "true" equals true). */
function same(a: unknown, b: unknown): boolean {
  if (b === null) return a === null || a === undefined;
  if (a === undefined || a === null) return false;
  if (typeof a === typeof b) return a === b;
  return String(a) === String(b);
}

function rule(r: ConditionRule, f: RunFacts): boolean {
  switch (r.type) {
    case 'user_has_role':
      return f.userRoleIds.includes(r.config.roleId);
    case 'channel_is':
      return f.channelId === r.config.channelId;
    case 'message_contains':
    case 'message_equals': {
      if (f.messageContent === null) return false;
      const cs = r.config.caseSensitive ?? false;
      const text = cs ? f.messageContent : f.messageContent.toLowerCase();
      const want = cs ? r.config.value : r.config.value.toLowerCase();
      return r.type === 'message_contains' ? text.includes(want) : text === want;
    }
    case 'command_arg_equals':
      return same(f.args[r.config.arg], r.config.value);
    case 'card_field_equals':
      return same(f.fields[r.config.field], r.config.value);
    case 'card_field_not_null': {
      const x = f.fields[r.config.field];
      return x !== undefined && x !== null && x !== '';
    }
    case 'invite_code_is':
      return f.inviteCode !== null && f.inviteCode === r.config.code;
    case 'button_is':
      return f.buttonId === r.config.buttonId;
    case 'webhook_payload_equals':
      return same(lookup(f.payload, r.config.path), r.config.value);
  }
}

function isGroup(x: ConditionRule | ConditionGroup): x is ConditionGroup {
  return 'operator' in x;
}

/** True when the tree holds; no tree (null) always holds; an empty group holds. */
export function evaluate(tree: ConditionGroup | null | undefined, f: RunFacts): boolean {
  if (!tree) return true;
  const one = (x: ConditionRule | ConditionGroup): boolean =>
    isGroup(x) ? evaluate(x, f) : rule(x, f) !== !!x.negate;
  const held =
    tree.operator === 'AND' ? tree.rules.every(one) : tree.rules.length === 0 || tree.rules.some(one);
  return held !== !!tree.negate;
}
