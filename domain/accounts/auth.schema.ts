/** Input schemas of the spec's "Auth" and "MFA (TOTP)" sections, checked at the HTTP edge. */
import * as v from 'valibot';

/** A string with no NUL byte (Postgres text cannot hold one) and a length range. */
export const str = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.check((s) => !s.includes('\0'), 'must not contain NUL bytes'),
    v.minLength(min, `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
  );

export const email = v.pipe(
  str(3, 255),
  v.trim(),
  v.email('must be a valid email address'),
  v.maxLength(255, 'must be at most 255 characters'),
);
/** Usernames share a namespace with space slugs (table `handles`). */
export const username = v.pipe(
  str(2, 32),
  v.regex(/^[A-Za-z0-9_-]+$/, 'may contain only letters, digits, _ and -'),
);
export const displayName = v.pipe(str(1, 64), v.trim(), v.minLength(1, 'must not be blank'));
export const password = str(8, 128);
/** A presented secret (token, code): bounded so a huge string is refused before any hashing. */
const secret = str(1, 512);

export const RegisterInput = v.object({ email, username, displayName, password });
export const LoginInput = v.object({ login: str(1, 255), password: str(1, 128) });
export const RefreshInput = v.object({ refreshToken: secret });
export const TokenInput = v.object({ token: secret });
export const EmailInput = v.object({ email });
export const ResetPasswordInput = v.object({ token: secret, password });
export const MfaVerifyInput = v.object({ mfaToken: str(1, 2048), code: str(1, 64) });
export const TotpCodeInput = v.object({
  code: v.pipe(v.string(), v.regex(/^\d{6}$/, 'must be a 6-digit code')),
});
export const PasswordInput = v.object({ password: str(1, 128) });

export type RegisterInput = v.InferOutput<typeof RegisterInput>;
