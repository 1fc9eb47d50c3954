/**
 * Request bodies on uWS: read with a size limit (413 as soon as it is passed), JSON parsed strictly
 * (malformed → 400 before any schema runs, NUL bytes refused), multipart through busboy.
 */
import busboy from 'busboy';
import {
  AppError,
  badRequest,
  payloadTooLarge,
  unsupportedMediaType,
  validationError,
} from '../engine/errors.ts';
import type { MultipartBody, UploadedFile } from './context.ts';

/** Parse JSON; refuses NUL bytes anywhere in a string, naming the field. */
export function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  let nulPath: string | null = null;
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'), function (this: unknown, key, val: unknown) {
      if (nulPath === null && (typeof val === 'string' ? val.includes('\0') : false)) nulPath = key;
      if (nulPath === null && key.includes('\0')) nulPath = key;
      return val;
    });
  } catch {
    throw new AppError('BAD_REQUEST', 400, 'Malformed JSON body');
  }
  if (nulPath !== null) {
    throw validationError(`${nulPath || 'body'}: must not contain NUL bytes`, {
      issues: [{ path: nulPath, message: 'must not contain NUL bytes' }],
    });
  }
  return value;
}

export interface MultipartLimits {
  /** The whole body (already enforced while reading) and, unless maxFileBytes is set, each file. */
  maxBytes: number;
  maxFiles: number;
  maxFileBytes?: number;
  maxFieldBytes?: number;
}

/** Parse a buffered multipart body. */
export function parseMultipart(
  contentType: string,
  buf: Buffer,
  limits: MultipartLimits,
): Promise<MultipartBody> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: { 'content-type': contentType },
        limits: {
          fileSize: limits.maxFileBytes ?? limits.maxBytes,
          files: limits.maxFiles,
          fieldSize: limits.maxFieldBytes ?? 1024 * 1024,
        },
      });
    } catch {
      reject(badRequest('Malformed multipart body'));
      return;
    }
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    let failed: AppError | null = null;
    bb.on('field', (name, value, info) => {
      // busboy truncates an over-long field silently; a cut value must not reach a handler.
      if (info.valueTruncated) failed ??= payloadTooLarge(`Field ${name} is too large`);
      if (value.includes('\0') || name.includes('\0'))
        failed ??= validationError(`${name}: must not contain NUL bytes`, {
          issues: [{ path: name, message: 'must not contain NUL bytes' }],
        });
      fields[name] = value;
    });
    bb.on('file', (field, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        failed ??= payloadTooLarge(`File ${info.filename} is too large`);
      });
      if (info.filename?.includes('\0'))
        failed ??= validationError(`${field}: file name must not contain NUL bytes`, {
          issues: [{ path: field, message: 'file name must not contain NUL bytes' }],
        });
      stream.on('end', () => {
        if (info.filename !== undefined && info.filename !== '')
          files.push({
            field,
            filename: info.filename,
            mimeType: info.mimeType,
            data: Buffer.concat(chunks),
          });
      });
    });
    bb.on('filesLimit', () => {
      failed ??= badRequest(`Too many files (max ${limits.maxFiles})`);
    });
    bb.on('error', () => reject(failed ?? badRequest('Malformed multipart body')));
    bb.on('close', () => (failed ? reject(failed) : resolve({ fields, files })));
    bb.end(buf);
  });
}

export function requireContentType(actual: string, expected: 'json' | 'multipart'): void {
  const ct = actual.split(';')[0]!.trim().toLowerCase();
  if (expected === 'json' && ct !== 'application/json' && !ct.endsWith('+json'))
    throw unsupportedMediaType('Content-Type must be application/json');
  if (expected === 'multipart' && ct !== 'multipart/form-data')
    throw unsupportedMediaType('Content-Type must be multipart/form-data');
}
