/**
 * The one error catalogue (API-DECISIONS.md "Errors"): stable codes with their HTTP status. Any
 * layer throws an AppError; the HTTP edge maps it to `{ "error": { code, message, data? } }` and
 * anything else to a 500 without internals.
 */
export const ErrorCodes = {
  VALIDATION_ERROR: 400,
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,
  TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class AppError extends Error {
  override name = 'AppError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly data?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toJSON(): { error: { code: string; message: string; data?: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, ...(this.data ? { data: this.data } : {}) } };
  }
}

const make =
  (code: ErrorCode) =>
  (message: string, data?: Record<string, unknown>): AppError =>
    new AppError(code, ErrorCodes[code], message, data);

export const badRequest = make('BAD_REQUEST');
export const validationError = make('VALIDATION_ERROR');
export const unauthorized = make('UNAUTHORIZED');
export const forbidden = make('FORBIDDEN');
export const notFound = make('NOT_FOUND');
export const conflict = make('CONFLICT');
export const payloadTooLarge = make('PAYLOAD_TOO_LARGE');
export const unsupportedMediaType = make('UNSUPPORTED_MEDIA_TYPE');
export const serviceUnavailable = make('SERVICE_UNAVAILABLE');
export const internal = make('INTERNAL');

/** A refined code that keeps the status of its family, e.g. CALL_IN_PROGRESS (400). */
export function appError(code: string, status: number, message: string, data?: Record<string, unknown>) {
  return new AppError(code, status, message, data);
}

export function rateLimited(retryAfterMs: number, message = 'Too many requests'): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(
    'RATE_LIMITED',
    429,
    message,
    { retryAfter: seconds },
    { 'Retry-After': String(seconds) },
  );
}

/** Postgres / driver errors that mean "the database is not reachable", not "the query is wrong". */
export function isConnectivityError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code))
      return true;
    // 08xxx connection exceptions, 57P01..57P03 admin shutdown / cannot connect now, 53300 too many connections
    if (/^08|^57P0[123]$|^53300$/.test(code)) return true;
  }
  return /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error|timeout exceeded when trying to connect|database is closed|PGlite is closed/i.test(
    err.message,
  );
}

/** Unique violation (23505) — a conflict the caller can map to 409 or retry. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e?.code !== '23505') return false;
  if (!constraint) return true;
  return e.constraint === constraint || (typeof e.message === 'string' && e.message.includes(constraint));
}
