import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { checkAddress, hostAllowed, parseAllowance, sign } from './http.ts';

test('private, loopback, link-local and mapped addresses are refused unless allowed', () => {
  const none = parseAllowance('');
  for (const a of [
    '127.0.0.1',
    '10.0.0.1',
    '192.168.1.1',
    '172.16.0.5',
    '169.254.169.254',
    '::1',
    '::ffff:127.0.0.1',
    'fc00::1',
    '0.0.0.0',
  ])
    assert.throws(() => checkAddress(a, a, none), /Refused/, a);
  checkAddress('93.184.216.34', 'example.com', none);
  const some = parseAllowance('127.0.0.1, 10.1.0.0/16, internal.test');
  checkAddress('127.0.0.1', '127.0.0.1', some);
  checkAddress('10.1.2.3', '10.1.2.3', some);
  checkAddress('10.9.9.9', 'internal.test', some);
  assert.throws(() => checkAddress('10.2.0.1', '10.2.0.1', some), /Refused/);
  assert.ok(hostAllowed('api.example.com', ['*.example.com']));
  assert.ok(!hostAllowed('example.org', ['*.example.com', 'example.com']));
  assert.equal(sign('k', 1, 'b'), 'sha256=' + createHmac('sha256', 'k').update('1.b').digest('hex'));
});
