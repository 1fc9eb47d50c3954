/**
 * The accounts feature (spec "Auth", "MFA (TOTP)", "Users", "Profile Links", "User Blocks", mutes,
 * "Global App Bans"). Other folders import from here only.
 */
import type { AccountsPorts } from './ports.ts';
import { AuthService } from './auth.service.ts';
import { MfaService } from './mfa.service.ts';
import { UsersService } from './users.service.ts';
import { noSpaces, type AccountHooks, type SpaceDirectory } from './extensions.ts';

export type { AccountsPorts } from './ports.ts';
export type { Session, TokenPair, LoginResult } from './auth.service.ts';
export type { SpaceDirectory, SpaceProfile, AccountHooks, PairHook, UserHook } from './extensions.ts';
export type { UserDto, PublicUserDto } from './users.schema.ts';
export { toUserDto, toPublicUser, toUserSummary } from './users.schema.ts';
export type { Db } from './tokens.ts';

export class Accounts {
  readonly mfa: MfaService;
  readonly auth: AuthService;
  readonly users: UsersService;
  readonly hooks: AccountHooks = { onBlock: [], onUserDeleted: [] };
  /** Replaced by the spaces feature at composition (`accounts.spaces = ...`). */
  spaces: SpaceDirectory = noSpaces;

  constructor(readonly ports: AccountsPorts) {
    this.mfa = new MfaService(ports);
    this.auth = new AuthService(ports, this.mfa);
    this.mfa.auth = this.auth;
    this.users = new UsersService(ports);
  }
}

export function createAccounts(ports: AccountsPorts): Accounts {
  return new Accounts(ports);
}
