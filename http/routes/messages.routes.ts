/**
 * GET /messages/:messageId (spec "System"): one lookup by id across kinds of messages. Each kind
 * registers a lookup in `services.messageLookups` (DMs here; channel messages with spaces); the
 * first that finds a message the caller may see answers.
 */
import { notFound } from '../../engine/errors.ts';
import { me } from '../context.ts';
import type { Router } from '../router.ts';
import { id } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerMessagesRoutes(r: Router, { services }: RouteDeps): void {
  r.get('/messages/:messageId', async (ctx) => {
    const user = me(ctx);
    const messageId = id(ctx, 'messageId');
    for (const lookup of services.messageLookups) {
      const found = await lookup(user, messageId);
      if (found) return found;
    }
    throw notFound('Message not found');
  });
}
