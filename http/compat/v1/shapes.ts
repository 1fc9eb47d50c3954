/**
 * The social-graph-api envelopes (API-DECISIONS "Compatibility bodies"): `{ "status": "success", ... }`
 * and lists as `{ "status": "success", "pagination": { data, current_page, per_page, ... } }`.
 * Only shapes and parameter parsing live here; every rule stays in reef's services.
 */
import * as v from 'valibot';
import { isSnowflake } from '../../../engine/ids.ts';
import { unauthorized, validationError } from '../../../engine/errors.ts';
import type { Ctx } from '../../context.ts';
import { limitParam, query } from '../../validate.ts';

export const success = <T extends Record<string, unknown>>(extra: T) => ({
  status: 'success' as const,
  ...extra,
});

/** `?page=` (1-based) and `?perPage=` / `?per_page=` as the Laravel paginator reads them. */
const PageQuery = v.object({
  page: v.pipe(
    v.optional(v.string(), '1'),
    v.regex(/^\d+$/, 'must be a positive integer'),
    v.transform(Number),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(100_000, 'must be at most 100000'),
  ),
  perPage: v.optional(limitParam(20, 100)),
  per_page: v.optional(limitParam(20, 100)),
});

export interface Page {
  page: number;
  perPage: number;
  /** For services paging by limit/offset: one more than a page, to tell whether another follows. */
  limit: number;
  offset: number;
}

export function pageOf(ctx: Ctx): Page {
  const q = query(ctx, v.looseObject(PageQuery.entries));
  const perPage = q.perPage ?? q.per_page ?? 20;
  return { page: q.page, perPage, limit: perPage + 1, offset: (q.page - 1) * perPage };
}

/** A page of a list fetched with `limit = perPage + 1`. */
export function paginated<T>(p: Page, rows: readonly T[]) {
  const data = rows.slice(0, p.perPage);
  const from = data.length ? p.offset + 1 : null;
  return success({
    pagination: {
      data,
      current_page: p.page,
      per_page: p.perPage,
      from,
      to: from === null ? null : p.offset + data.length,
      next_page: rows.length > p.perPage ? p.page + 1 : null,
      prev_page: p.page > 1 ? p.page - 1 : null,
    },
  });
}

/** `{user}`: a reef user id, or `me` for the caller. */
export function userParam(ctx: Ctx, name = 'user'): string {
  const value = ctx.params[name];
  if (value === 'me') {
    if (!ctx.user) throw unauthorized('Sign in to use "me"');
    return ctx.user.id;
  }
  if (!isSnowflake(value))
    throw validationError(`${name} must be a user id or "me"`, {
      issues: [{ path: name, message: 'must be a user id or "me"' }],
    });
  return value;
}

/** The caller, or an id no user has for anonymous reads (reef's services take a viewer id). */
export const viewerOf = (ctx: Ctx): string => ctx.user?.id ?? '0';

/**
 * A numeric id in a JSON body: a decimal string, or a JSON integer when it is exact (snowflakes
 * beyond 2^53 lose digits as JSON numbers, so clients should send strings).
 */
export const bodyId = v.pipe(
  v.union([v.string(), v.pipe(v.number(), v.safeInteger(), v.minValue(1))], 'must be a numeric id'),
  v.transform((x) => String(x)),
  v.check((s) => isSnowflake(s), 'must be a numeric id'),
);
