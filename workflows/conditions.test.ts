import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, type RunFacts } from './conditions.ts';
import type { ConditionGroup } from './schema.ts';

const facts: RunFacts = {
  userRoleIds: ['11'],
  channelId: '22',
  messageContent: 'Hello World',
  args: { n: 3, ok: true },
  fields: { size: 'L', empty: '' },
  inviteCode: 'abc',
  buttonId: 'approve',
  payload: { a: { b: 'x' }, n: '7' },
};

test('every rule type, negate on rules and groups, nested AND/OR', () => {
  const t = (tree: ConditionGroup) => evaluate(tree, facts);
  assert.equal(t({ operator: 'AND', rules: [{ type: 'user_has_role', config: { roleId: '11' } }] }), true);
  assert.equal(t({ operator: 'AND', rules: [{ type: 'user_has_role', config: { roleId: '12' } }] }), false);
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'channel_is', config: { channelId: '22' }, negate: true }] }),
    false,
  );
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'message_contains', config: { value: 'world' } }] }),
    true,
  );
  assert.equal(
    t({
      operator: 'AND',
      rules: [{ type: 'message_contains', config: { value: 'world', caseSensitive: true } }],
    }),
    false,
  );
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'message_equals', config: { value: 'hello world' } }] }),
    true,
  );
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'command_arg_equals', config: { arg: 'n', value: '3' } }] }),
    true,
  );
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'card_field_equals', config: { field: 'size', value: 'L' } }] }),
    true,
  );
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'card_field_not_null', config: { field: 'empty' } }] }),
    false,
  );
  assert.equal(t({ operator: 'AND', rules: [{ type: 'invite_code_is', config: { code: 'abc' } }] }), true);
  assert.equal(t({ operator: 'AND', rules: [{ type: 'button_is', config: { buttonId: 'deny' } }] }), false);
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'webhook_payload_equals', config: { path: 'a.b', value: 'x' } }] }),
    true,
  );
  assert.equal(
    t({ operator: 'AND', rules: [{ type: 'webhook_payload_equals', config: { path: 'n', value: 7 } }] }),
    true,
  );
  // (role 12 OR NOT channel 99) AND NOT (button deny) — negated group
  const nested: ConditionGroup = {
    operator: 'AND',
    rules: [
      {
        operator: 'OR',
        rules: [
          { type: 'user_has_role', config: { roleId: '12' } },
          { type: 'channel_is', config: { channelId: '99' }, negate: true },
        ],
      },
      { operator: 'OR', negate: true, rules: [{ type: 'button_is', config: { buttonId: 'deny' } }] },
    ],
  };
  assert.equal(t(nested), true);
  assert.equal(t({ ...nested, negate: true }), false);
  assert.equal(evaluate(null, facts), true);
});
