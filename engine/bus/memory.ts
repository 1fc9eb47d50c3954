/**
 * In-process bus for embedded mode: same subject rules as NATS, delivery on a microtask.
 *
 * Hot path (every room event goes through here): a literal subject is one Map lookup; wildcard
 * subscriptions are few (workers' `ns.kind.>`-style subjects) and each is tested against its literal
 * prefix (`startsWith`) before the token match. One microtask per publish delivers to every target.
 * `publishText` carries the JSON text as is, so an in-process subscriber that reads `text` never
 * pays an encode and a decode; `data` is encoded on first read for those that read bytes.
 */
import {
  BusError,
  enc,
  subjectMatches,
  type Bus,
  type BusMsg,
  type BusState,
  type BusSubscription,
  type SubscribeOptions,
} from './index.ts';

/** A subscription; it is also the handle returned to the subscriber (no closure per subscription). */
class Sub implements BusSubscription {
  active = true;

  constructor(
    private readonly core: MemoryBusCore,
    readonly pattern: string,
    /** For a wildcard pattern: the literal tokens before the first wildcard, with their trailing '.'. */
    readonly prefix: string,
    readonly literal: boolean,
    readonly handler: (msg: BusMsg) => void,
    readonly queue: string | undefined,
  ) {}

  unsubscribe(): void {
    if (this.active) this.core.remove(this);
  }
}

/** One delivered message; shared by every subscriber of a publish (they only read it). */
class MemoryMsg implements BusMsg {
  private bytes: Uint8Array | undefined;
  private str: string | undefined;

  constructor(
    private readonly owner: MemoryBusCore,
    readonly subject: string,
    data: Uint8Array | undefined,
    text: string | undefined,
    readonly reply: string | undefined,
  ) {
    this.bytes = data;
    this.str = text;
  }

  get data(): Uint8Array {
    return (this.bytes ??= enc.encode(this.str ?? ''));
  }

  get text(): string | undefined {
    return this.str;
  }

  respond(d: Uint8Array): void {
    if (this.reply) this.owner.deliver(this.reply, d, undefined, undefined);
  }
}

function runHandler(s: Sub, msg: MemoryMsg): void {
  try {
    s.handler(msg);
  } catch (err) {
    // As if each handler ran in its own microtask: a throwing handler does not starve the others.
    queueMicrotask(() => {
      throw err;
    });
  }
}

class MemoryBusCore {
  /** Literal subject → its subscription, or several (copy-on-write arrays). */
  readonly exact = new Map<string, Sub | readonly Sub[]>();
  wild: readonly Sub[] = [];
  private readonly rr = new Map<string, number>();

  /** Deliver to every matching subscription; returns how many there are. */
  deliver(subject: string, data: Uint8Array | undefined, text: string | undefined, reply?: string): number {
    const literal = this.exact.get(subject);
    let subs: readonly Sub[] | undefined =
      literal === undefined || literal instanceof Sub ? undefined : literal;
    let one: Sub | undefined = literal instanceof Sub ? literal : undefined;
    if (this.wild.length > 0) {
      for (const s of this.wild) {
        if (!subject.startsWith(s.prefix) || !subjectMatches(s.pattern, subject)) continue;
        const list: Sub[] = subs ? [...subs] : one ? [one] : [];
        list.push(s);
        subs = list;
        one = undefined;
      }
    }
    if (one) {
      if (one.queue === undefined) {
        const msg = new MemoryMsg(this, subject, data, text, reply);
        const target = one;
        queueMicrotask(() => {
          if (target.active) runHandler(target, msg);
        });
        return 1;
      }
      subs = [one];
    }
    if (!subs || subs.length === 0) return 0;
    let queued = false;
    for (const s of subs) if (s.queue !== undefined) queued = true;
    // Copy-on-write lists (subscribe/unsubscribe replace them), so `subs` can be read later as is.
    const targets = queued ? this.pickQueues(subs) : subs;
    const msg = new MemoryMsg(this, subject, data, text, reply);
    queueMicrotask(() => {
      for (const s of targets) if (s.active) runHandler(s, msg);
    });
    return targets.length;
  }

  /** Queue groups: one member each, round-robin. */
  private pickQueues(subs: readonly Sub[]): Sub[] {
    const groups = new Map<string, Sub[]>();
    const out: Sub[] = [];
    for (const s of subs) {
      if (s.queue === undefined) out.push(s);
      else {
        const g = groups.get(s.queue);
        if (g) g.push(s);
        else groups.set(s.queue, [s]);
      }
    }
    for (const [q, members] of groups) {
      const n = this.rr.get(q) ?? 0;
      this.rr.set(q, n + 1);
      out.push(members[n % members.length]!);
    }
    return out;
  }

  add(sub: Sub): void {
    if (!sub.literal) {
      this.wild = [...this.wild, sub];
      return;
    }
    const cur = this.exact.get(sub.pattern);
    this.exact.set(sub.pattern, cur === undefined ? sub : cur instanceof Sub ? [cur, sub] : [...cur, sub]);
  }

  remove(sub: Sub): void {
    sub.active = false;
    if (!sub.literal) {
      this.wild = this.wild.filter((s) => s !== sub);
      return;
    }
    const cur = this.exact.get(sub.pattern);
    if (cur === undefined) return;
    if (cur instanceof Sub) {
      if (cur === sub) this.exact.delete(sub.pattern);
      return;
    }
    const rest = cur.filter((s) => s !== sub);
    if (rest.length === cur.length) return;
    if (rest.length === 0) this.exact.delete(sub.pattern);
    else this.exact.set(sub.pattern, rest.length === 1 ? rest[0]! : rest);
  }
}

function literalPrefix(pattern: string): string {
  const tokens = pattern.split('.');
  const i = tokens.findIndex((t) => t === '*' || t === '>');
  return i <= 0 ? '' : `${tokens.slice(0, i).join('.')}.`;
}

export function createMemoryBus(): Bus {
  const core = new MemoryBusCore();
  let inbox = 0;
  let closed = false;

  const bus: Bus = {
    mode: 'memory',
    publish(subject, data) {
      if (closed) throw new BusError('CLOSED', 'bus is closed');
      core.deliver(subject, data, undefined);
    },
    publishText(subject, text) {
      if (closed) throw new BusError('CLOSED', 'bus is closed');
      core.deliver(subject, undefined, text);
    },
    subscribe(pattern, handler, opts: SubscribeOptions = {}) {
      const literal = !pattern.includes('*') && !pattern.includes('>');
      const sub = new Sub(
        core,
        pattern,
        literal ? pattern : literalPrefix(pattern),
        literal,
        handler,
        opts.queue || undefined,
      );
      core.add(sub);
      return sub;
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
        if (core.deliver(subject, data, undefined, replySubject) === 0) {
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
      core.exact.clear();
      core.wild = [];
    },
  };
  return bus;
}
