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

export class Jwt {
  private readonly key: Uint8Array;
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
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(nowMs),
      });
      if (payload.typ !== typ || typeof payload.sub !== 'string') return null;
      return payload as unknown as TokenClaims;
    } catch (err) {
      if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return null;
      throw err;
    }
  }
}
