/** Helpers for the pages, library and timeline tests: a page (a socialEnabled space) and a page post. */
import { Permission } from '../../domain/spaces/index.ts';
import type { TestContext } from '../context.ts';
import type { TestUser } from '../helpers/users.ts';
import { addMember, createRole, createSpace, grantRoles, type TestSpace } from '../spaces/helpers.ts';
import { createPost, ok } from '../social/helpers.ts';

export { ok };

/** A space with socialEnabled, and a member who manages its social posts. */
export async function createPage(t: TestContext): Promise<{ space: TestSpace; manager: TestUser }> {
  const space = await createSpace(t);
  await ok(
    t.api('PUT', `/spaces/${space.id}/admin-settings`, {
      token: space.owner.accessToken,
      body: { socialEnabled: true },
    }),
  );
  const manager = await addMember(t, space);
  await grantRoles(t, space, manager, [await createRole(t, space, Permission.MANAGE_SOCIAL)]);
  return { space, manager };
}

/** A post on behalf of the page. */
export function pagePost(t: TestContext, manager: TestUser, spaceId: string, body: string): Promise<any> {
  return createPost(t, manager, { body, spaceId });
}

export async function notifications(t: TestContext, u: TestUser): Promise<any[]> {
  return ok<any[]>(t.api('GET', '/notifications?limit=50', { token: u.accessToken }));
}
