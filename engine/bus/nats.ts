/** NATS adapter: core NATS publish/subscribe and request/reply, reconnecting forever. */
import { connect, errors as natsErrors, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../log.ts';
import { BusError, type Bus, type BusState } from './index.ts';

export async function createNatsBus(
  url: string,
  log: Logger,
  name: string,
): Promise<{ bus: Bus; nc: NatsConnection }> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    timeout: 3000,
  });
  let state: BusState = 'connected';
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnecting') state = 'reconnecting';
      else if (s.type === 'reconnect') state = 'connected';
      if (s.type === 'disconnect' || s.type === 'reconnect')
        log.warn({ nats: s.type }, 'nats connection status');
    }
  })().catch(() => undefined);
  void nc.closed().then(() => (state = 'closed'));

  const bus: Bus = {
    mode: 'nats',
    publish(subject, data) {
      if (nc.isClosed()) throw new BusError('CLOSED', 'nats connection is closed');
      nc.publish(subject, data);
    },
    publishText(subject, text) {
      if (nc.isClosed()) throw new BusError('CLOSED', 'nats connection is closed');
      // nats.js encodes a string payload itself (one copy into its outbound buffer).
      nc.publish(subject, text);
    },
    subscribe(subject, handler, opts = {}) {
      const sub = nc.subscribe(subject, {
        ...(opts.queue ? { queue: opts.queue } : {}),
        callback: (err, msg) => {
          if (err) {
            log.warn({ err: err.message, subject }, 'nats subscription error');
            return;
          }
          handler({
            subject: msg.subject,
            data: msg.data,
            ...(msg.reply ? { reply: msg.reply } : {}),
            respond: (d) => {
              msg.respond(d);
            },
          });
        },
      });
      return { unsubscribe: () => sub.unsubscribe() };
    },
    async request(subject, data, timeoutMs) {
      try {
        const m = await nc.request(subject, data, { timeout: timeoutMs });
        return m.data;
      } catch (err) {
        if (err instanceof natsErrors.NoRespondersError)
          throw new BusError('NO_RESPONDERS', `no responders for ${subject}`);
        if (err instanceof natsErrors.TimeoutError)
          throw new BusError('TIMEOUT', `request to ${subject} timed out after ${timeoutMs} ms`);
        const e = err as Error;
        if (e?.cause instanceof natsErrors.NoRespondersError)
          throw new BusError('NO_RESPONDERS', `no responders for ${subject}`);
        if (e?.cause instanceof natsErrors.TimeoutError)
          throw new BusError('TIMEOUT', `request to ${subject} timed out after ${timeoutMs} ms`);
        throw new BusError('UNAVAILABLE', e?.message ?? String(err));
      }
    },
    flush: () => nc.flush(),
    state: () => state,
    async close() {
      if (!nc.isClosed()) await nc.drain().catch(() => nc.close());
    },
  };
  return { bus, nc };
}
