/** What a route handler sees: typed request data in, a value (or a Reply) out. */
import type { Logger } from '../engine/log.ts';

export interface UploadedFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: UploadedFile[];
}

import type { AuthUser } from '../engine/auth/types.ts';
export type { AuthUser };

export interface Ctx {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly ip: string;
  readonly requestId: string;
  readonly log: Logger;
  /** Parsed JSON body (unknown until validated), or undefined. */
  readonly body: unknown;
  /** Present on multipart routes. */
  readonly multipart: MultipartBody | undefined;
  /** Set on `auth: 'required'` routes, and on `auth: 'optional'` routes when a valid token came. */
  readonly user: AuthUser | undefined;
  /** Headers to add to the response. */
  readonly responseHeaders: Record<string, string>;
}

/** An explicit response: status, body and headers. Handlers may also return a plain value (200 JSON). */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
    /** 'json' serialises body; 'raw' sends a string/Buffer as is with the given content type. */
    readonly kind: 'json' | 'raw' = 'json',
  ) {}
}

export const created = (body: unknown) => new Reply(201, body);
export const noContent = () => new Reply(204, undefined);
export const raw = (
  status: number,
  body: string | Buffer,
  contentType: string,
  headers: Record<string, string> = {},
) => new Reply(status, body, { 'Content-Type': contentType, ...headers }, 'raw');

/** The user of an `auth: 'required'` route (the router guarantees it). */
export function me(ctx: Ctx): AuthUser {
  if (!ctx.user) throw new Error('route is not behind auth');
  return ctx.user;
}
