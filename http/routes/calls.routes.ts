/**
 * Spec "Calls (Voice / Video)" (REST), and the call:respond, call:leave, voice:join and voice:leave
 * socket commands (voice:join also answers with a `voice:joined` event, as the spec's table says).
 */
import { schema } from '../../domain/calls/index.ts';
import { created, me, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

export function registerCallsRoutes(r: Router, { services }: RouteDeps): void {
  const { calls } = services;
  const callId = (ctx: Ctx) => id(ctx, 'callId');
  const channelId = (ctx: Ctx) => id(ctx, 'channelId');
  const empty = { body: 'json-or-empty' as const };

  r.post('/calls/conversations/:conversationId/call', empty, async (ctx) =>
    created(await calls.startInConversation(me(ctx).id, id(ctx, 'conversationId'))),
  );
  r.get('/calls/conversations/:conversationId/call', async (ctx) =>
    calls.conversationCall(me(ctx).id, id(ctx, 'conversationId')),
  );
  r.post('/calls/channels/:channelId/join', empty, async (ctx) =>
    calls.voiceJoin(me(ctx).id, channelId(ctx)),
  );
  r.post('/calls/channels/:channelId/leave', empty, async (ctx) =>
    calls.voiceLeave(me(ctx).id, channelId(ctx)),
  );
  r.get('/calls/channels/:channelId/call', async (ctx) => calls.voiceCall(me(ctx).id, channelId(ctx)));
  r.get('/calls/:callId', async (ctx) => calls.get(me(ctx).id, callId(ctx)));
  r.post('/calls/:callId/respond', async (ctx) =>
    calls.respond(me(ctx).id, callId(ctx), body(ctx, schema.RespondInput).action),
  );
  r.post('/calls/:callId/join', empty, async (ctx) => calls.join(me(ctx).id, callId(ctx)));
  r.post('/calls/:callId/leave', empty, async (ctx) => calls.leave(me(ctx).id, callId(ctx)));
  r.post('/calls/:callId/end', empty, async (ctx) => calls.end(me(ctx).id, callId(ctx)));
  r.post('/calls/:callId/token', empty, async (ctx) => calls.token(me(ctx).id, callId(ctx)));

  const gw = services.realtime;
  gw.command('call:respond', schema.SocketRespondInput, (user, d) =>
    calls.respond(user.id, d.callId, d.action),
  );
  gw.command('call:leave', schema.SocketCallInput, (user, d) => calls.leave(user.id, d.callId));
  gw.command('voice:join', schema.SocketChannelInput, async (user, d, { socket }) => {
    const call = await calls.voiceJoin(user.id, d.channelId);
    socket.emit('voice:joined', call);
    return call;
  });
  gw.command('voice:leave', schema.SocketChannelInput, (user, d) => calls.voiceLeave(user.id, d.channelId));
}
