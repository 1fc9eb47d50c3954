/** Spec "Auth": registration, password login and the MFA step of login. */
import { conflict, forbidden, isUniqueViolation, unauthorized } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import type { RegisterInput } from './auth.schema.ts';
import type { EmailTokensService } from './email-tokens.service.ts';
import type { MfaService } from './mfa.service.ts';
import type { Passwords } from './passwords.ts';
import { SUSPENDED, type LoginResult, type Session, type SessionsService } from './sessions.service.ts';
import { inTx, type Db } from './tokens.ts';
import { emailTaken, findUserById, findUserByLogin, handleTaken, isBanned } from './users.repository.ts';
import { toUserDto, type UserRow } from './users.schema.ts';

export class AuthService {
  constructor(
    private readonly e: AccountsPorts,
    private readonly passwords: Passwords,
    private readonly sessions: SessionsService,
    private readonly emailTokens: EmailTokensService,
    private readonly mfa: MfaService,
  ) {}

  /**
   * POST /auth/register. The username is claimed in `handles`, the namespace it shares with space
   * slugs, in the same transaction as the user; a verification email follows.
   */
  async register(db: Db, input: RegisterInput): Promise<Session> {
    // Friendly answers for the common case; the unique keys below settle races.
    if (await emailTaken(db, input.email)) throw conflict('Email is already registered', { field: 'email' });
    if (await handleTaken(db, input.username))
      throw conflict('Username is already taken', { field: 'username' });
    const passwordHash = await this.passwords.hash(input.password);
    const id = this.e.ids.next();
    const now = new Date(this.e.clock.now());
    const { user, verifyToken, tokens } = await inTx(db, async (trx) => {
      let user: UserRow;
      try {
        await trx
          .insertInto('handles')
          .values({ handle_lower: input.username.toLowerCase(), kind: 'user', owner_id: id })
          .execute();
        user = await trx
          .insertInto('users')
          .values({
            id,
            email: input.email,
            email_lower: input.email.toLowerCase(),
            username: input.username,
            username_lower: input.username.toLowerCase(),
            display_name: input.displayName,
            password_hash: passwordHash,
            created_at: now,
            updated_at: now,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
      } catch (err) {
        if (isUniqueViolation(err, 'email'))
          throw conflict('Email is already registered', { field: 'email' });
        if (isUniqueViolation(err)) throw conflict('Username is already taken', { field: 'username' });
        throw err;
      }
      await trx.insertInto('user_preferences').values({ user_id: id }).execute();
      const verifyToken = await this.emailTokens.create(trx, id, 'verify');
      const tokens = await this.sessions.issueTokens(trx, id);
      return { user, verifyToken, tokens };
    });
    await this.emailTokens.send(user, 'verify', verifyToken);
    return { ...tokens, user: toUserDto(user) };
  }

  /** POST /auth/login: by email or username. A banned account learns so only with the right password. */
  async login(db: Db, login: string, password: string): Promise<LoginResult> {
    const user = await findUserByLogin(db, login);
    const ok = await this.passwords.matches(user?.password_hash, password);
    if (!user || !ok) throw unauthorized('Invalid login or password');
    if (await isBanned(db, user.id)) throw forbidden(SUSPENDED);
    return this.sessions.startLogin(db, user);
  }

  /**
   * POST /auth/mfa/verify: a TOTP code or an unused backup code. Each code works once (TOTP steps
   * are remembered, backup codes consumed), so a replayed mfaToken gains nothing without a new code.
   */
  async verifyMfa(db: Db, mfaToken: string, code: string): Promise<Session> {
    const claims = await this.e.jwt.verify(mfaToken, 'mfa', this.e.clock.now());
    const user = claims ? await findUserById(db, claims.sub) : undefined;
    if (!claims || !user || !user.totp_enabled) throw unauthorized('Invalid or expired MFA token');
    if (await isBanned(db, user.id)) throw forbidden(SUSPENDED);
    if (!(await this.mfa.checkCode(db, user, code))) throw unauthorized('Invalid verification code');
    return this.sessions.start(db, user);
  }
}
