import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Jwt } from './jwt.ts';

const SECRET = 'k'.repeat(40);
const T0 = 1_800_000_000_000;

test('a verified token is remembered, yet its expiry and type are checked on every use', async () => {
  const jwt = new Jwt(SECRET);
  const token = await jwt.sign('42', 'access', 60, T0);
  assert.equal((await jwt.verify(token, 'access', T0))?.sub, '42');
  // Second use (remembered): same claims while valid.
  assert.equal((await jwt.verify(token, 'access', T0 + 59_999))?.sub, '42');
  assert.equal(await jwt.verify(token, 'mfa', T0 + 1000), null, 'wrong type');
  assert.equal(await jwt.verify(token, 'access', T0 + 60_000), null, 'expired at exp');
  // A fresh instance (no memory) agrees at every point.
  const fresh = new Jwt(SECRET);
  assert.equal(await fresh.verify(token, 'access', T0 + 60_000), null);
  assert.equal((await fresh.verify(token, 'access', T0 + 59_999))?.sub, '42');
});

test('a token signed with another key, or tampered with, is refused (and not remembered)', async () => {
  const jwt = new Jwt(SECRET);
  const other = await new Jwt('o'.repeat(40)).sign('42', 'access', 60, T0);
  assert.equal(await jwt.verify(other, 'access', T0), null);
  assert.equal(await jwt.verify(other, 'access', T0), null);
  const good = await jwt.sign('42', 'access', 60, T0);
  const [h, , s] = good.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ sub: '1', typ: 'access', exp: 9e9 })).toString('base64url')}.${s}`;
  assert.equal(await jwt.verify(forged, 'access', T0), null);
});

test('a token verified as the wrong type first is still accepted as its own type', async () => {
  const jwt = new Jwt(SECRET);
  const token = await jwt.sign('7', 'mfa', 300, T0);
  assert.equal(await jwt.verify(token, 'access', T0), null);
  assert.equal((await jwt.verify(token, 'mfa', T0))?.sub, '7');
});
