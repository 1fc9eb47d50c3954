/**
 * Validation once, at the edge (CONVENTIONS rule 3): one wrapper around valibot. A failure is a
 * 400 VALIDATION_ERROR whose `data.issues` lists each failing field by dot path.
 */
import * as v from 'valibot';
import { AppError, validationError } from '../engine/errors.ts';
import { isSnowflake } from '../engine/ids.ts';
import type { Ctx } from './context.ts';

export interface Issue {
  path: string;
  message: string;
}

export function toIssues(issues: readonly v.BaseIssue<unknown>[]): Issue[] {
  return issues.map((i) => ({ path: v.getDotPath(i) ?? '', message: i.message }));
}

export function parse<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  where = 'body',
): v.InferOutput<S> {
  const r = v.safeParse(schema, input);
  if (r.success) return r.output;
  const issues = toIssues(r.issues);
  const first = issues[0];
  throw validationError(
    first ? `${where}${first.path ? '.' + first.path : ''}: ${first.message}` : `invalid ${where}`,
    {
      issues,
    },
  );
}

export function body<S extends v.GenericSchema>(ctx: Ctx, schema: S): v.InferOutput<S> {
  return parse(schema, ctx.body ?? {}, 'body');
}

export function query<S extends v.GenericSchema>(ctx: Ctx, schema: S): v.InferOutput<S> {
  return parse(schema, Object.fromEntries(ctx.query), 'query');
}

/** A snowflake path parameter; 400 when it is not one. */
export function id(ctx: Ctx, name: string): string {
  const value = ctx.params[name];
  if (!isSnowflake(value)) {
    throw validationError(`${name} must be a numeric id`, {
      issues: [{ path: name, message: 'must be a numeric id' }],
    });
  }
  return value;
}

// ---- reusable schema pieces ----

/** A string with no NUL byte (Postgres text cannot hold one) and a length range. */
export const str = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.check((s) => !s.includes('\0'), 'must not contain NUL bytes'),
    v.minLength(min, `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
  );
export const trimmed = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.trim(),
    v.check((s) => !s.includes('\0'), 'must not contain NUL bytes'),
    v.minLength(min, `must be at least ${min} characters`),
    v.maxLength(max, `must be at most ${max} characters`),
  );
export const snowflake = v.pipe(
  v.string(),
  v.check((s: string) => isSnowflake(s), 'must be a numeric id'),
);
export const color = v.pipe(v.string(), v.regex(/^#[0-9a-fA-F]{6}$/, 'must be #RRGGBB'));

/** `?limit=` as a number with a default and a maximum. */
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
);
export const optionalSnowflakeParam = v.optional(snowflake);

export { AppError };
