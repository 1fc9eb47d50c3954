/**
 * Users for tests. `registerUser` creates an account through the accounts service of the running
 * reef (the code behind POST /auth/register, minus the per-IP rate limit, so a suite may create as
 * many users as it needs) and returns what a client would hold after registering.
 *
 *   const alice = await registerUser(t);
 *   await t.api('GET', '/users/me', { token: alice.accessToken });
 */
import * as v from 'valibot';
import { RegisterInput } from '../../domain/accounts/auth.schema.ts';
import type { UserDto } from '../../domain/accounts/index.ts';
import { uniq, type TestContext } from '../context.ts';

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
  user: UserDto;
}

export interface RegisterOverrides {
  username?: string;
  email?: string;
  displayName?: string;
  password?: string;
}

export async function registerUser(t: TestContext, overrides: RegisterOverrides = {}): Promise<TestUser> {
  const username = overrides.username ?? uniq('u');
  const input = v.parse(RegisterInput, {
    email: overrides.email ?? `${username.toLowerCase()}@example.test`,
    username,
    displayName: overrides.displayName ?? `User ${username}`,
    password: overrides.password ?? 'correct horse battery',
  });
  const session = await t.reef.services.accounts.auth.register(t.reef.engine.db.db, input);
  // Round-trip through JSON so the user is exactly what a client would have parsed.
  const user = JSON.parse(JSON.stringify(session.user)) as UserDto;
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    password: input.password,
    accessToken: session.accessToken,
    refreshToken: session.refreshToken,
    user,
  };
}

/** Several users at once. */
export function registerUsers(t: TestContext, n: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: n }, () => registerUser(t)));
}

/** Makes a user a global admin (there is no API to become one). Their existing tokens see it at once. */
export async function makeAdmin(t: TestContext, userId: string): Promise<void> {
  await t.reef.engine.db.db.updateTable('users').set({ is_admin: true }).where('id', '=', userId).execute();
}

/** A new user who is a global admin. */
export async function registerAdmin(t: TestContext, overrides: RegisterOverrides = {}): Promise<TestUser> {
  const u = await registerUser(t, overrides);
  await makeAdmin(t, u.id);
  return { ...u, user: { ...u.user, isAdmin: true } };
}
