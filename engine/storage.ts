/**
 * The storage port for uploads: local disk under UPLOADS_DIR (default DATA_DIR/uploads), served at
 * /uploads/<key>. Keys are generated here (snowflake + sanitised extension), never taken from clients.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface StoredFile {
  key: string;
  url: string;
  size: number;
}

export interface Storage {
  readonly root: string;
  put(prefix: string, id: string, ext: string, data: Buffer): Promise<StoredFile>;
  /** Absolute path for a key, or null if the key would leave the root (path traversal). */
  resolve(key: string): string | null;
  delete(key: string): Promise<void>;
}

const SAFE_EXT = /^[a-z0-9]{1,8}$/;

export function createDiskStorage(root: string): Storage {
  const abs = path.resolve(root);
  fs.mkdirSync(abs, { recursive: true });
  const resolve = (key: string): string | null => {
    if (key.includes('\0')) return null;
    const p = path.resolve(abs, key);
    return p.startsWith(abs + path.sep) ? p : null;
  };
  return {
    root: abs,
    async put(prefix, id, ext, data) {
      const e = ext.toLowerCase().replace(/^\./, '');
      const safePrefix = prefix.replace(/[^a-z0-9_-]/gi, '');
      const key = `${safePrefix}/${id}${SAFE_EXT.test(e) ? '.' + e : ''}`;
      const file = resolve(key);
      if (!file) throw new Error('invalid storage key');
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await fs.promises.writeFile(file, data);
      return { key, url: `/uploads/${key}`, size: data.length };
    },
    resolve,
    async delete(key) {
      const file = resolve(key);
      if (file) await fs.promises.rm(file, { force: true });
    },
  };
}
