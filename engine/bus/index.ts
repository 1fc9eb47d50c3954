/**
 * The bus port: subject-based publish/subscribe and request/reply. In-process on embedded defaults,
 * NATS when NATS_URL is set. Subjects use NATS syntax (tokens separated by '.', '*' matches one
 * token, '>' the rest) in both adapters, so code cannot tell them apart.
 */
export interface BusMsg {
  readonly subject: string;
  readonly data: Uint8Array;
  /** Present when the sender awaits a reply. */
  readonly reply?: string | undefined;
  /**
   * The payload as text, when the publisher gave text (`publishText`) and the adapter kept it (the
   * in-process bus does): reading it saves a decode. Absent otherwise; `data` is always there.
   */
  readonly text?: string | undefined;
  respond(data: Uint8Array): void;
}

export interface BusSubscription {
  unsubscribe(): void;
}

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
}

export type BusState = 'connected' | 'reconnecting' | 'closed';

export interface Bus {
  readonly mode: 'memory' | 'nats';
  publish(subject: string, data: Uint8Array): void;
  /**
   * Publish UTF-8 text (JSON): the same message as `publish(subject, enc.encode(text))`, minus the
   * copies an adapter can avoid. Optional for other Bus implementations: `publishText` below falls
   * back to `publish`.
   */
  publishText?(subject: string, text: string): void;
  subscribe(subject: string, handler: (msg: BusMsg) => void, opts?: SubscribeOptions): BusSubscription;
  /** Rejects with BusError('NO_RESPONDERS') when nobody listens, BusError('TIMEOUT') after `timeoutMs`. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Resolves when everything published so far has reached the server (or the local subscribers). */
  flush(): Promise<void>;
  state(): BusState;
  close(): Promise<void>;
}

export class BusError extends Error {
  override name = 'BusError';
  constructor(
    readonly code: 'NO_RESPONDERS' | 'TIMEOUT' | 'CLOSED' | 'UNAVAILABLE',
    message: string,
  ) {
    super(message);
  }
}

/** NATS subject matching: '*' one token, '>' one or more trailing tokens. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const tok = p[i];
    if (tok === '>') return s.length > i;
    if (i >= s.length) return false;
    if (tok !== '*' && tok !== s[i]) return false;
  }
  return p.length === s.length;
}

export const enc = new TextEncoder();

/** Publish text on any Bus (its own `publishText` when it has one). */
export function publishText(bus: Bus, subject: string, text: string): void {
  if (bus.publishText) bus.publishText(subject, text);
  else bus.publish(subject, enc.encode(text));
}

/** A message's text: kept by the adapter, else decoded from its bytes. */
export function msgText(msg: BusMsg): string {
  return msg.text ?? dec.decode(msg.data);
}
export const dec = new TextDecoder();
export const encodeJson = (v: unknown): Uint8Array => enc.encode(JSON.stringify(v));
export const decodeJson = <T>(b: Uint8Array): T => JSON.parse(dec.decode(b)) as T;
