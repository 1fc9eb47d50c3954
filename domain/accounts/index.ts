/**
 * The accounts feature (spec "Auth", "MFA (TOTP)", "Users", "Profile Links", "User Blocks", mutes,
 * "Global App Bans"). Other folders import from here only.
 *
 * Extension points for other features (composition root, http/services.ts):
 *   services.accounts.spaces = mySpaceDirectory;             // profile handles, "shares a space"
 *   services.accounts.hooks.onBlock.push(async (trx, blockerId, blockedId) => { ... });
 *   await services.accounts.profiles.canViewProfile(db, viewerId, ownerId);
 */
import type { AccountsPorts } from './ports.ts';
import { AuthService } from './auth.service.ts';
import { Passwords } from './passwords.ts';
import { SessionsService } from './sessions.service.ts';
import { EmailTokensService } from './email-tokens.service.ts';
import { MfaService } from './mfa.service.ts';
import { UsersService } from './users.service.ts';
import { ProfilesService } from './profiles.service.ts';
import { LinksService } from './links.service.ts';
import { RelationsService } from './relations.service.ts';
import { BansService } from './bans.service.ts';
import { noSpaces, type AccountHooks, type SpaceDirectory } from './extensions.ts';

export type { AccountsPorts } from './ports.ts';
export type { Session, TokenPair, LoginResult } from './sessions.service.ts';
export type { SpaceDirectory, SpaceProfile, AccountHooks, PairHook, UserHook } from './extensions.ts';
export type { UserDto, PublicUserDto } from './users.schema.ts';
export type { BanDto } from './bans.service.ts';
export { toUserDto, toPublicUser, toUserSummary } from './users.schema.ts';
/** The one block check other features use: either user blocks the other. */
export { blockedEitherWay } from './users.repository.ts';
export type { Db } from './tokens.ts';

export class Accounts {
  readonly passwords: Passwords;
  readonly sessions: SessionsService;
  readonly emailTokens: EmailTokensService;
  readonly mfa: MfaService;
  readonly auth: AuthService;
  readonly users: UsersService;
  readonly profiles: ProfilesService;
  readonly links: LinksService;
  readonly relations: RelationsService;
  readonly bans: BansService;
  readonly hooks: AccountHooks = { onBlock: [], onUserDeleted: [] };
  /** Replaced by the spaces feature at composition; until then there are no spaces. */
  spaces: SpaceDirectory = noSpaces;

  constructor(readonly ports: AccountsPorts) {
    this.passwords = new Passwords(ports);
    this.sessions = new SessionsService(ports);
    this.emailTokens = new EmailTokensService(ports, this.sessions, this.passwords);
    this.mfa = new MfaService(ports, this.passwords);
    this.auth = new AuthService(ports, this.passwords, this.sessions, this.emailTokens, this.mfa);
    this.users = new UsersService(ports, this.passwords, this.hooks);
    this.profiles = new ProfilesService(() => this.spaces);
    this.links = new LinksService(ports);
    this.relations = new RelationsService(ports, this.hooks);
    this.bans = new BansService(ports, this.sessions);
  }
}

export function createAccounts(ports: AccountsPorts): Accounts {
  return new Accounts(ports);
}
