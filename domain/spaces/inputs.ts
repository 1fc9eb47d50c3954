/** Reusable valibot pieces of the spaces, channels and messages inputs. */
import * as v from 'valibot';
import { isSnowflake } from '../../engine/ids.ts';

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
