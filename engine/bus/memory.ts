/** In-process bus for embedded mode: same subject rules as NATS, delivery on a microtask. */
import {
  BusError,
  subjectMatches,
  type Bus,
  type BusMsg,
  type BusState,
  type SubscribeOptions,
} from './index.ts';

interface Sub {
  pattern: string;
  literal: boolean;
  handler: (msg: BusMsg) => void;
  queue?: string;
  active: boolean;
}

export function createMemoryBus(): Bus {
  const exact = new Map<string, Set<Sub>>();
  const wild = new Set<Sub>();
  const rr = new Map<string, number>();
  let inbox = 0;
  let closed = false;

  function targets(subject: string): Sub[] {
    const out: Sub[] = [];
    for (const s of exact.get(subject) ?? []) out.push(s);
    for (const s of wild) if (subjectMatches(s.pattern, subject)) out.push(s);
    // Queue groups: one member each.
    const groups = new Map<string, Sub[]>();
    const plain: Sub[] = [];
    for (const s of out) {
      if (!s.queue) plain.push(s);
      else groups.set(s.queue, [...(groups.get(s.queue) ?? []), s]);
    }
    for (const [q, members] of groups) {
      const n = rr.get(q) ?? 0;
      rr.set(q, n + 1);
      plain.push(members[n % members.length]!);
    }
    return plain;
  }

  function deliver(subject: string, data: Uint8Array, reply?: string): number {
    const subs = targets(subject);
    for (const s of subs) {
      const msg: BusMsg = {
        subject,
        data,
        ...(reply ? { reply } : {}),
        respond: (d) => {
          if (reply) deliver(reply, d);
        },
      };
      queueMicrotask(() => {
        if (s.active) s.handler(msg);
      });
    }
    return subs.length;
  }

  const bus: Bus = {
    mode: 'memory',
    publish(subject, data) {
      if (closed) throw new BusError('CLOSED', 'bus is closed');
      deliver(subject, data);
    },
    subscribe(pattern, handler, opts: SubscribeOptions = {}) {
      const literal = !pattern.includes('*') && !pattern.includes('>');
      const sub: Sub = {
        pattern,
        literal,
        handler,
        active: true,
        ...(opts.queue ? { queue: opts.queue } : {}),
      };
      if (literal) {
        let set = exact.get(pattern);
        if (!set) exact.set(pattern, (set = new Set()));
        set.add(sub);
      } else wild.add(sub);
      return {
        unsubscribe() {
          sub.active = false;
          if (literal) {
            const set = exact.get(pattern);
            set?.delete(sub);
            if (set?.size === 0) exact.delete(pattern);
          } else wild.delete(sub);
        },
      };
    },
    request(subject, data, timeoutMs) {
      if (closed) return Promise.reject(new BusError('CLOSED', 'bus is closed'));
      const replySubject = `_INBOX.${++inbox}`;
      return new Promise<Uint8Array>((resolve, reject) => {
        const sub = bus.subscribe(replySubject, (m) => {
          clearTimeout(timer);
          sub.unsubscribe();
          resolve(m.data);
        });
        const timer = setTimeout(() => {
          sub.unsubscribe();
          reject(new BusError('TIMEOUT', `request to ${subject} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        if (deliver(subject, data, replySubject) === 0) {
          clearTimeout(timer);
          sub.unsubscribe();
          reject(new BusError('NO_RESPONDERS', `no responders for ${subject}`));
        }
      });
    },
    flush: async () => {
      await new Promise<void>((r) => setImmediate(r));
    },
    state: (): BusState => (closed ? 'closed' : 'connected'),
    async close() {
      closed = true;
      exact.clear();
      wild.clear();
    },
  };
  return bus;
}
