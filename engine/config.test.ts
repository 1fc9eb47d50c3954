/** Configuration: defaults from the README table; a bad value stops start naming the variable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, parseRate } from './config.ts';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, 'a ConfigError');
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

test('no environment gives the documented defaults', () => {
  const c = loadConfig({});
  assert.equal(c.PORT, 3000);
  assert.equal(c.HOST, '0.0.0.0');
  assert.equal(c.NODE_ID, 0);
  assert.equal(c.DATA_DIR, './data');
  assert.equal(c.DATABASE_URL, undefined);
  assert.equal(c.NAMESPACE, 'reef');
  assert.equal(c.BODY_LIMIT_BYTES, 1048576);
  assert.equal(c.UPLOAD_LIMIT_BYTES, 115343360);
  assert.equal(c.SHUTDOWN_TIMEOUT_MS, 10000);
  assert.equal(c.CORS_ORIGINS, '*');
  assert.equal(c.TRUST_PROXY, false);
  assert.equal(c.RATE_LIMIT_AUTH, '20/60');
});

test('values are parsed and empty strings mean "unset"', () => {
  const c = loadConfig({ PORT: ' 8080 ', NODE_ID: '1023', TRUST_PROXY: 'yes', LOG_LEVEL: '', DATA_DIR: '' });
  assert.equal(c.PORT, 8080);
  assert.equal(c.NODE_ID, 1023);
  assert.equal(c.TRUST_PROXY, true);
  assert.equal(c.LOG_LEVEL, 'info');
  assert.equal(c.DATA_DIR, './data');
});

test('a bad value names the variable and the rule', () => {
  assert.match(configError({ PORT: 'abc' }), /PORT: must be an integer/);
  assert.match(configError({ PORT: '70000' }), /PORT: must be <= 65535/);
  assert.match(configError({ NODE_ID: '1024' }), /NODE_ID: must be <= 1023/);
  assert.match(
    configError({ REDIS_URL: 'http://127.0.0.1:6379' }),
    /REDIS_URL: must be a URL with scheme redis or rediss/,
  );
  assert.match(configError({ DATABASE_URL: 'not a url' }), /DATABASE_URL/);
  assert.match(configError({ JWT_SECRET: 'short' }), /JWT_SECRET: must be at least 32 characters/);
  assert.match(configError({ TRUST_PROXY: 'maybe' }), /TRUST_PROXY/);
  assert.match(configError({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
  assert.match(configError({ RATE_LIMIT_AUTH: '20 per minute' }), /RATE_LIMIT_AUTH: must look like 20\/60/);
  assert.match(configError({ NAMESPACE: 'has space' }), /NAMESPACE/);
});

test('every bad variable is named at once', () => {
  const msg = configError({ PORT: 'x', NODE_ID: '-1', SHUTDOWN_TIMEOUT_MS: 'soon' });
  for (const name of ['PORT', 'NODE_ID', 'SHUTDOWN_TIMEOUT_MS']) assert.match(msg, new RegExp(`\\b${name}:`));
});

test('unknown variables are ignored', () => {
  assert.equal(loadConfig({ PATH: '/bin', SOMETHING_ELSE: '1' }).PORT, 3000);
});

test('parseRate reads "N/seconds"', () => {
  assert.deepEqual(parseRate('20/60'), { limit: 20, windowMs: 60_000 });
  assert.deepEqual(parseRate('5/1'), { limit: 5, windowMs: 1000 });
});
