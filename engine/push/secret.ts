/** A key given in configuration either inline (PEM text) or as a path to the file holding it. */
import fs from 'node:fs';

export function readSecret(value: string): string {
  return value.includes('-----BEGIN') ? value.replace(/\\n/g, '\n') : fs.readFileSync(value, 'utf8');
}
