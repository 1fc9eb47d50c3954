/** Valibot pieces shared by the social schemas (query params arrive as strings). */
import * as v from 'valibot';

const SNOWFLAKE = /^\d{1,20}$/;

export const snowflake = v.pipe(v.string(), v.regex(SNOWFLAKE, 'must be a numeric id'));

/** `?limit=` with a default and a maximum. */
export const limitParam = (def: number, max: number) =>
  v.pipe(
    v.optional(v.string(), String(def)),
    v.regex(/^\d+$/, 'must be a positive integer'),
    v.transform(Number),
    v.minValue(1, 'must be at least 1'),
    v.maxValue(max, `must be at most ${max}`),
  );

export const offsetParam = v.pipe(
  v.optional(v.string(), '0'),
  v.regex(/^\d+$/, 'must be a non-negative integer'),
  v.transform(Number),
  v.maxValue(1_000_000, 'must be at most 1000000'),
);

/** A string without NUL bytes (Postgres text cannot hold one), of a length range. */
export const text = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.check((s) => !s.includes('\0'), 'must not contain NUL bytes'),
    v.minLength(min, `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
  );

/** A reaction emoji in a path: a short token without spaces or slashes. */
export const emoji = v.pipe(
  v.string(),
  v.minLength(1, 'must not be empty'),
  v.maxLength(64, 'must be at most 64 characters'),
  v.regex(/^[^\s/\\\0]+$/u, 'must be an emoji or :shortcode: without spaces'),
);

/** Keyset page: `before` (an id) and `limit`. */
export const pageQuery = (def: number, max: number) =>
  v.object({ before: v.optional(snowflake), limit: limitParam(def, max) });
export type PageQuery = { before?: string | undefined; limit: number };
