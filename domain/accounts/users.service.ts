/** Spec "Users": the caller's own account (profile, preferences, avatar, deletion). */
import { unauthorized } from '../../engine/errors.ts';
import type { AccountsPorts } from './ports.ts';
import type { Db } from './tokens.ts';
import { findUserById } from './users.repository.ts';
import { toUserDto, type UserDto } from './users.schema.ts';

export class UsersService {
  constructor(private readonly e: AccountsPorts) {}

  /** GET /users/me */
  async getMe(db: Db, userId: string): Promise<UserDto> {
    const user = await findUserById(db, userId);
    if (!user) throw unauthorized('Account no longer exists');
    return toUserDto(user);
  }
}
