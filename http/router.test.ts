/** The trie router: precedence, per-method matching, 404 vs 405, parameters and catch-alls. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, type Match } from './router.ts';

function routerWith(...patterns: Array<[string, string]>): Router {
  const r = new Router();
  for (const [method, pattern] of patterns) r.add(method as 'GET', pattern, () => `${method} ${pattern}`);
  return r;
}
/** The pattern and params a request resolves to, or the 404/405 marker. */
function resolve(r: Router, method: string, path: string): string | null | [string, Record<string, string>] {
  const m = r.match(method, path);
  if (m === null || m === 'method') return m;
  return [(m as Match).route.pattern, (m as Match).params];
}

test('static segments win over parameters, whatever the registration order', () => {
  const r = routerWith(['GET', '/users/:userId'], ['GET', '/users/me'], ['GET', '/users/:userId/posts']);
  assert.deepEqual(resolve(r, 'GET', '/users/me'), ['/users/me', {}]);
  assert.deepEqual(resolve(r, 'GET', '/users/42'), ['/users/:userId', { userId: '42' }]);
  // `me` has no `posts` child: the router backtracks to the parameter.
  assert.deepEqual(resolve(r, 'GET', '/users/me/posts'), ['/users/:userId/posts', { userId: 'me' }]);
});

test('matching is per method: a static path does not hide a parameter route of another method', () => {
  const r = routerWith(['GET', '/users/me'], ['DELETE', '/users/:userId'], ['PATCH', '/users/me']);
  assert.deepEqual(resolve(r, 'DELETE', '/users/me'), ['/users/:userId', { userId: 'me' }]);
  assert.deepEqual(resolve(r, 'PATCH', '/users/me'), ['/users/me', {}]);
  assert.equal(resolve(r, 'PUT', '/users/me'), 'method');
  assert.equal(resolve(r, 'POST', '/users/7'), 'method');
});

test('unknown paths are null (404); a known path under another method is "method" (405)', () => {
  const r = routerWith(['GET', '/health'], ['POST', '/spaces/:spaceId/channels']);
  assert.equal(resolve(r, 'GET', '/nope'), null);
  assert.equal(resolve(r, 'GET', '/spaces'), null, 'an inner node without routes is not a route');
  assert.equal(resolve(r, 'DELETE', '/health'), 'method');
  assert.equal(resolve(r, 'GET', '/spaces/1/channels'), 'method');
  assert.equal(resolve(r, 'GET', '/health/extra'), null);
});

test('parameters are URI-decoded; empty segments and trailing slashes are ignored', () => {
  const r = routerWith(['GET', '/users/by-name/:name']);
  assert.deepEqual(resolve(r, 'GET', '/users/by-name/ann%20lee'), [
    '/users/by-name/:name',
    { name: 'ann lee' },
  ]);
  assert.deepEqual(resolve(r, 'GET', '/users/by-name/%E0%A4%A'), [
    '/users/by-name/:name',
    { name: '%E0%A4%A' },
  ]);
  assert.deepEqual(resolve(r, 'GET', '//users//by-name/x/'), ['/users/by-name/:name', { name: 'x' }]);
});

test('a trailing * catches the rest of the path, after static and parameter routes', () => {
  const r = routerWith(['GET', '/files/*'], ['GET', '/files/index'], ['POST', '/files/*']);
  assert.deepEqual(resolve(r, 'GET', '/files/a/b/c.txt'), ['/files/*', { '*': 'a/b/c.txt' }]);
  assert.deepEqual(resolve(r, 'GET', '/files/index'), ['/files/index', {}]);
  assert.deepEqual(resolve(r, 'POST', '/files/index'), ['/files/*', { '*': 'index' }]);
  assert.equal(resolve(r, 'DELETE', '/files/x'), 'method');
});

test('scopes prefix patterns and share one trie', () => {
  const root = new Router();
  const api = root.scope('/api');
  api.get('/health', () => 'ok');
  api.scope('/v1').get('/status', () => 'v1');
  assert.deepEqual(resolve(root, 'GET', '/api/health'), ['/api/health', {}]);
  assert.deepEqual(resolve(root, 'GET', '/api/v1/status'), ['/api/v1/status', {}]);
  assert.equal(resolve(root, 'GET', '/health'), null);
  assert.deepEqual(
    root.all.map((x) => x.pattern),
    ['/api/health', '/api/v1/status'],
  );
});

test('duplicate routes and conflicting parameter names are refused at registration', () => {
  const r = routerWith(['GET', '/a/:id']);
  assert.throws(() => r.get('/a/:id', () => 1), /duplicate route GET \/a\/:id/);
  assert.throws(() => r.get('/a/:other/x', () => 1), /conflicting parameter names/);
  assert.throws(() => r.add('GET', '/b', {}), /no handler/);
});
