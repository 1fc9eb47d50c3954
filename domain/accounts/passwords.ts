/** Password hashing with the configured scrypt cost, and checks that do not reveal missing accounts. */
import { hashPassword, verifyPassword } from '../../engine/auth/password.ts';
import type { AccountsPorts } from './ports.ts';

export class Passwords {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly e: Pick<AccountsPorts, 'config'>) {}

  hash(password: string): Promise<string> {
    return hashPassword(password, this.e.config.PASSWORD_SCRYPT_N);
  }

  /**
   * Checks a password; with no stored hash it still spends the same work on a dummy hash, so the
   * response time does not tell whether an account exists.
   */
  async matches(stored: string | null | undefined, password: string): Promise<boolean> {
    if (stored) return verifyPassword(password, stored);
    this.dummyHash ??= this.hash('reef-dummy-password');
    await verifyPassword(password, await this.dummyHash);
    return false;
  }
}
