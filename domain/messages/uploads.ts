/**
 * Message attachments (spec "Messages" uploads; limits as the spec gives them for message uploads: at
 * most 20 files, 100 MB each, 10 MB for anything that is not a video). Files go through the storage
 * port under `attachments/`, with a generated name (the client's name is kept only as metadata), and
 * are served at /uploads/*.
 */
import path from 'node:path';
import { badRequest, payloadTooLarge } from '../../engine/errors.ts';
import type { Ids } from '../../engine/ids.ts';
import type { Storage } from '../../engine/storage.ts';
import type { AttachmentRef } from '../../actors/space/space.events.ts';

export const MAX_FILES = 20;
export const MAX_VIDEO_BYTES = 100 * 1024 * 1024;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

export interface IncomingFile {
  filename: string;
  mimeType: string;
  data: Buffer;
}

const MIME_RE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/i;

export function checkFiles(files: IncomingFile[]): void {
  if (files.length === 0) throw badRequest('At least one file is required (multipart field "files")');
  if (files.length > MAX_FILES) throw badRequest(`At most ${MAX_FILES} files per message`);
  for (const f of files) {
    const video = f.mimeType.startsWith('video/');
    const max = video ? MAX_VIDEO_BYTES : MAX_FILE_BYTES;
    if (f.data.length > max)
      throw payloadTooLarge(
        `${f.filename || 'file'} exceeds ${max / (1024 * 1024)} MB${video ? '' : ' (non-video files)'}`,
      );
  }
}

/** Store files (after checkFiles) and describe them as attachments. */
export async function storeFiles(
  storage: Storage,
  ids: Ids,
  files: IncomingFile[],
): Promise<AttachmentRef[]> {
  const out: AttachmentRef[] = [];
  for (const f of files) {
    const id = ids.next();
    const filename =
      path
        .basename(f.filename || 'file')
        .replace(/[\0\r\n]/g, '')
        .slice(0, 255) || 'file';
    const mimeType = MIME_RE.test(f.mimeType) ? f.mimeType.toLowerCase() : 'application/octet-stream';
    const stored = await storage.put('attachments', id, path.extname(filename), f.data);
    out.push({ id, url: stored.url, filename, mimeType, size: stored.size });
  }
  return out;
}
