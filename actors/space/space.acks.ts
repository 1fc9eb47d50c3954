/**
 * Acknowledgements from the node that performs a space's effects back to the node whose caller
 * waits. `actors.ask` resolves when the actor's state has committed; the projection rows (and for a
 * message, the message row) are written by effects right after, on the actor's node. A caller that
 * must answer its client only once those rows are readable (read-your-writes: a message is listed
 * as soon as its send is acknowledged) waits for its ticket here.
 *
 * Local tickets resolve in-process; remote ones travel on `<ns>.spaces.ack.<node>`, one publish per
 * batch and node.
 */
import { decodeJson, encodeJson, type Bus, type BusSubscription } from '../../engine/bus/index.ts';
import { AppError } from '../../engine/errors.ts';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

interface AckWire {
  acks: Array<{ t: string; e?: { code: string; status: number; message: string } }>;
}

export class SpaceAcks {
  private readonly waiters = new Map<string, Waiter>();
  private sub: BusSubscription | null = null;

  constructor(
    private readonly bus: Bus,
    private readonly namespace: string,
    readonly node: string,
    private readonly timeoutMs: number,
  ) {}

  private subject(node: string): string {
    return `${this.namespace}.spaces.ack.${node.replace(/[.*> ]/g, '_')}`;
  }

  start(): void {
    this.sub ??= this.bus.subscribe(this.subject(this.node), (msg) => {
      let wire: AckWire;
      try {
        wire = decodeJson<AckWire>(msg.data);
      } catch {
        return;
      }
      for (const a of wire.acks) this.settle(a.t, a.e);
    });
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = null;
    for (const [t, w] of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new AppError('SERVICE_UNAVAILABLE', 503, 'Server is shutting down'));
      this.waiters.delete(t);
    }
  }

  /** Register interest before the event is sent (the ack may come before the ask's reply). */
  expect(ticket: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(ticket);
        reject(new AppError('TIMEOUT', 504, 'The space did not confirm the write in time'));
      }, this.timeoutMs);
      this.waiters.set(ticket, { resolve, reject, timer });
    });
  }

  cancel(ticket: string): void {
    const w = this.waiters.get(ticket);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiters.delete(ticket);
    w.resolve();
  }

  private settle(ticket: string, error?: { code: string; status: number; message: string }): void {
    const w = this.waiters.get(ticket);
    if (!w) return;
    clearTimeout(w.timer);
    this.waiters.delete(ticket);
    if (error) w.reject(new AppError(error.code, error.status, error.message));
    else w.resolve();
  }

  /** Acknowledge tickets (grouped by their origin node); `error` fails them. */
  ack(items: Array<{ ticket: string; origin: string }>, error?: AppError): void {
    const e = error ? { code: error.code, status: error.status, message: error.message } : undefined;
    const remote = new Map<string, AckWire['acks']>();
    for (const { ticket, origin } of items) {
      if (origin === this.node) this.settle(ticket, e);
      else {
        let list = remote.get(origin);
        if (!list) remote.set(origin, (list = []));
        list.push(e ? { t: ticket, e } : { t: ticket });
      }
    }
    for (const [node, acks] of remote) {
      try {
        this.bus.publish(this.subject(node), encodeJson({ acks } satisfies AckWire));
      } catch {
        // The caller times out and answers 504; the write itself is done.
      }
    }
  }
}
