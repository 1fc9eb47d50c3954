/**
 * Social helpers for tests: follow (asserting the status), mutual follows, posts through the real
 * multipart endpoint. Every helper asserts the status it expects, so a test reads as its rule.
 */
import assert from 'node:assert/strict';
import type { TestContext } from '../context.ts';
import { registerUsers, type TestUser } from '../helpers/users.ts';

export async function ok<T = any>(
  p: Promise<{ status: number; body: T; text: string }>,
  status = 200,
): Promise<T> {
  const res = await p;
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text}`);
  return res.body;
}

/** `a` follows `b`; returns the follow status ('accepted' or 'pending'). */
export async function follow(t: TestContext, a: TestUser, b: TestUser): Promise<string> {
  const body = await ok(t.api('POST', `/follows/${b.id}`, { token: a.accessToken }));
  return body.status;
}

export async function mutual(t: TestContext, a: TestUser, b: TestUser): Promise<void> {
  assert.equal(await follow(t, a, b), 'accepted');
  assert.equal(await follow(t, b, a), 'accepted');
}

export interface PostFields {
  body?: string;
  visibility?: 'public' | 'followers' | 'private';
  taggedUserIds?: string[];
  spaceId?: string;
  files?: Array<{ name: string; type: string; data: string | Buffer }>;
}

export function postForm(f: PostFields): FormData {
  const form = new FormData();
  if (f.body !== undefined) form.set('body', f.body);
  if (f.visibility) form.set('visibility', f.visibility);
  if (f.taggedUserIds) form.set('taggedUserIds', JSON.stringify(f.taggedUserIds));
  if (f.spaceId) form.set('spaceId', f.spaceId);
  for (const file of f.files ?? [])
    form.append('files', new Blob([file.data], { type: file.type }), file.name);
  return form;
}

/** Creates a post through POST /users/me/posts (multipart) and returns it. */
export async function createPost(t: TestContext, u: TestUser, f: PostFields): Promise<any> {
  return ok(t.api('POST', '/users/me/posts', { token: u.accessToken, raw: postForm(f) }), 201);
}

export async function feedIds(t: TestContext, u: TestUser, query = ''): Promise<string[]> {
  const posts = await ok<any[]>(t.api('GET', `/follows/feed${query}`, { token: u.accessToken }));
  return posts.map((p) => p.id);
}

export async function setPreferences(
  t: TestContext,
  u: TestUser,
  prefs: Record<string, unknown>,
): Promise<void> {
  await ok(t.api('PUT', '/users/preferences', { token: u.accessToken, body: prefs }));
}

type Six = [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];

/** `n` (≤ 6) new users, typed for destructuring: `const [a, b] = await people(t, 2)`. */
export async function people(t: TestContext, n: 1 | 2 | 3 | 4 | 5 | 6): Promise<Six> {
  return (await registerUsers(t, n)) as Six;
}
