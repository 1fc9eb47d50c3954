/** Access tokens: HS256 JWTs (jose) that expire. `sub` is the user id; `typ` separates token kinds. */
import { randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';

export type TokenType = 'access' | 'mfa';

export interface TokenClaims {
  sub: string;
  typ: TokenType;
  /** Issued-at, seconds. */
  iat: number;
  /** Unique token id. */
  jti: string;
  exp: number;
}

/** Verified tokens remembered (a client reuses its access token for every request until it expires). */
const VERIFIED_MAX = 10_000;

export class Jwt {
  private readonly key: Uint8Array;
  /**
   * Token string → its claims, once its HS256 signature verified. A signature check depends only on
   * the token's bytes and the key, so it is done once per token; the time-dependent checks (`exp`,
   * `nbf`) run on every use exactly as jose runs them. Revocation is not decided here: callers still
   * check the account (existence, bans) per request.
   */
  private readonly verified = new Map<string, TokenClaims & { nbf?: number }>();
  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  sign(sub: string, typ: TokenType, ttlSeconds: number, nowMs: number): Promise<string> {
    const iat = Math.floor(nowMs / 1000);
    return (
      new SignJWT({ typ })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        // A unique id, so two tokens of one user and kind signed within a second still differ
        // (single-use tokens can then be recorded by jti).
        .setJti(randomUUID())
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(this.key)
    );
  }

  /** Returns the claims, or null for a forged, malformed, expired or wrong-type token. */
  async verify(token: string, typ: TokenType, nowMs: number): Promise<TokenClaims | null> {
    const known = this.verified.get(token);
    if (known) {
      // jose's claim checks, with its default tolerance of 0 and whole seconds.
      const now = Math.floor(nowMs / 1000);
      if (typeof known.exp === 'number' && known.exp <= now) return null;
      if (typeof known.nbf === 'number' && known.nbf > now) return null;
      return known.typ === typ ? known : null;
    }
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(nowMs),
      });
      if (typeof payload.sub !== 'string') return null;
      const claims = payload as unknown as TokenClaims & { nbf?: number };
      if (this.verified.size >= VERIFIED_MAX) {
        // Forget the oldest (insertion order); an evicted token is simply verified again.
        const oldest = this.verified.keys().next().value;
        if (oldest !== undefined) this.verified.delete(oldest);
      }
      this.verified.set(token, claims);
      if (claims.typ !== typ) return null;
      return claims;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return null;
      throw err;
    }
  }
}
