import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ALL_PERMISSIONS,
  basePermissions,
  channelPermissions,
  DEFAULT_ROLE_PERMISSIONS,
  guestPermissions,
  has,
  parseBits,
  Permission as P,
  type ChannelAccess,
  type Subject,
} from './permissions.ts';

const roles = [
  { id: 'everyone', permissions: DEFAULT_ROLE_PERMISSIONS, isDefault: true },
  { id: 'mod', permissions: P.MANAGE_MESSAGES | P.MANAGE_MEMBERS, isDefault: false },
  { id: 'muted', permissions: 0n, isDefault: false },
  { id: 'admin', permissions: P.MANAGE_CHANNELS, isDefault: false },
];
const who = (userId: string, roleIds: string[] = [], isMember = true): Subject => ({
  userId,
  ownerId: 'owner',
  isMember,
  roleIds,
  roles,
});
const channel = (o: Partial<ChannelAccess> = {}): ChannelAccess => ({
  isPrivate: false,
  isAdmin: false,
  overrides: [],
  isDirectMember: false,
  ...o,
});

test('bit positions follow the spec table (API-DECISIONS)', () => {
  assert.equal(P.VIEW_CHANNELS, 1n);
  assert.equal(P.ADD_REACTIONS, 1024n);
  assert.equal(P.VIEW_ROLES, 1048576n);
  assert.equal(DEFAULT_ROLE_PERMISSIONS, 1n | 2n | 512n | 1024n | 8192n);
  assert.equal(parseBits('4294967295'), ALL_PERMISSIONS, 'unknown high bits are masked off');
});

test('base: owner has everything, members the union of their roles plus the default role, others nothing', () => {
  assert.equal(basePermissions(who('owner', [], false)), ALL_PERMISSIONS);
  assert.equal(basePermissions(who('u')), DEFAULT_ROLE_PERMISSIONS);
  assert.equal(
    basePermissions(who('u', ['mod'])),
    DEFAULT_ROLE_PERMISSIONS | P.MANAGE_MESSAGES | P.MANAGE_MEMBERS,
  );
  assert.equal(basePermissions(who('u', ['mod'], false)), 0n);
});

test('overrides: default role first (deny then allow), then other roles, where an allow wins over a deny', () => {
  const readOnly = channel({ overrides: [{ roleId: 'everyone', allow: 0n, deny: P.SEND_MESSAGES }] });
  assert.ok(!has(channelPermissions(who('u'), readOnly), P.SEND_MESSAGES));
  assert.ok(has(channelPermissions(who('u'), readOnly), P.VIEW_CHANNELS));
  const modsTalk = channel({
    overrides: [
      { roleId: 'everyone', allow: 0n, deny: P.SEND_MESSAGES },
      { roleId: 'mod', allow: P.SEND_MESSAGES, deny: 0n },
      { roleId: 'muted', allow: 0n, deny: P.SEND_MESSAGES | P.ADD_REACTIONS },
    ],
  });
  assert.ok(has(channelPermissions(who('u', ['mod']), modsTalk), P.SEND_MESSAGES));
  assert.ok(
    has(channelPermissions(who('u', ['mod', 'muted']), modsTalk), P.SEND_MESSAGES),
    'allow wins among own roles',
  );
  assert.ok(!has(channelPermissions(who('u', ['muted']), modsTalk), P.ADD_REACTIONS));
  const hidden = channel({ overrides: [{ roleId: 'everyone', allow: 0n, deny: P.VIEW_CHANNELS }] });
  assert.equal(channelPermissions(who('u'), hidden), 0n, 'no VIEW_CHANNELS, no permission at all');
});

test('private channels: admins, direct members and roles with a VIEW allow override', () => {
  const priv = channel({ isPrivate: true, overrides: [{ roleId: 'mod', allow: P.VIEW_CHANNELS, deny: 0n }] });
  assert.equal(channelPermissions(who('u'), priv), 0n);
  assert.ok(has(channelPermissions(who('u', ['mod']), priv), P.VIEW_CHANNELS | P.SEND_MESSAGES));
  assert.ok(has(channelPermissions(who('u'), { ...priv, isDirectMember: true }), P.VIEW_CHANNELS));
  assert.ok(has(channelPermissions(who('u', ['admin']), priv), P.VIEW_CHANNELS));
  assert.equal(channelPermissions(who('owner', [], false), priv), ALL_PERMISSIONS);
  assert.equal(channelPermissions(who('u', ['mod'], false), priv), 0n, 'not a member');
});

test('admin channel: administrators and MANAGE_MEMBERS only; guests read public channels only', () => {
  const adm = channel({ isPrivate: true, isAdmin: true });
  assert.equal(channelPermissions(who('u'), adm), 0n);
  assert.ok(has(channelPermissions(who('u', ['mod']), adm), P.VIEW_CHANNELS));
  assert.ok(has(channelPermissions(who('u', ['admin']), adm), P.VIEW_CHANNELS));
  assert.equal(guestPermissions('everyone', channel()), P.VIEW_CHANNELS);
  assert.equal(guestPermissions('everyone', adm), 0n);
  assert.equal(
    guestPermissions(
      'everyone',
      channel({ overrides: [{ roleId: 'everyone', allow: 0n, deny: P.VIEW_CHANNELS }] }),
    ),
    0n,
  );
});
