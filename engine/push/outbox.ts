/**
 * The embedded push adapter: no provider credentials, so each message is appended to
 * DATA_DIR/outbox/push.jsonl (one JSON object per line) and logged at debug. Useful in development
 * (see what would have been pushed) and for the bench.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log.ts';
import type { PushSender } from './index.ts';

export function createOutboxSender(dir: string, log: Logger): PushSender {
  const file = path.join(dir, 'push.jsonl');
  let ready: Promise<void> | null = null;
  return {
    mode: 'outbox',
    async send(message) {
      ready ??= fs.promises.mkdir(dir, { recursive: true }).then(() => undefined);
      await ready;
      await fs.promises.appendFile(file, JSON.stringify(message) + '\n');
      log.debug({ platform: message.platform, tokenType: message.tokenType }, 'push written to outbox');
      return { status: 'sent', provider: 'outbox' };
    },
    async close() {},
  };
}
