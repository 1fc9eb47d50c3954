/** Calendar test helpers: a space with a calendar manager, a claimer and a plain member. */
import type { TestContext } from '../context.ts';
import type { TestUser } from '../helpers/users.ts';
import {
  addMember,
  createRole,
  createSpace,
  expectStatus,
  grantRoles,
  type TestSpace,
} from '../spaces/helpers.ts';
import { Permission } from '../../domain/spaces/index.ts';
import { until } from '../realtime-clients.ts';

export interface CalendarSpace {
  space: TestSpace;
  manager: TestUser;
  claimer: TestUser;
  member: TestUser;
}

export async function calendarSpace(
  t: TestContext,
  settings: Record<string, unknown> = {},
): Promise<CalendarSpace> {
  const space = await createSpace(t);
  if (Object.keys(settings).length)
    await expectStatus(
      t.api('PUT', `/spaces/${space.id}/admin-settings`, { token: space.owner.accessToken, body: settings }),
      200,
    );
  const manager = await addMember(t, space);
  const claimer = await addMember(t, space);
  const member = await addMember(t, space);
  await grantRoles(t, space, manager, [await createRole(t, space, Permission.MANAGE_CALENDAR)]);
  await grantRoles(t, space, claimer, [await createRole(t, space, Permission.CLAIM_EVENTS)]);
  return { space, manager, claimer, member };
}

export function createEvent(
  t: TestContext,
  c: CalendarSpace,
  body: Record<string, unknown>,
  user = c.manager,
) {
  return expectStatus(
    t.api('POST', `/spaces/${c.space.id}/calendar/events`, { token: user.accessToken, body }),
    201,
  );
}

export async function notifications(t: TestContext, user: TestUser): Promise<any[]> {
  return expectStatus(t.api('GET', '/notifications?limit=100', { token: user.accessToken }), 200);
}

/** Notifications of `type` about `eventId` the user has, once at least `n` arrived (or [] after the wait). */
export async function notificationsFor(
  t: TestContext,
  user: TestUser,
  type: string,
  eventId: string,
  n = 1,
): Promise<any[]> {
  let found: any[] = [];
  await until(
    async () => {
      found = (await notifications(t, user)).filter((x) => x.type === type && x.data.eventId === eventId);
      return found.length >= n;
    },
    15_000,
    `${n} ${type} for ${user.username}`,
  );
  return found;
}

/** The notifications of `type` about `eventId` a user has right now. */
export async function currentNotifications(t: TestContext, user: TestUser, type: string, eventId: string) {
  return (await notifications(t, user)).filter((x) => x.type === type && x.data.eventId === eventId);
}
