/**
 * "Event is today" and early entry (spec "Meeting Rooms", "Personal Event Meeting Rooms"): dates and
 * times are in the space's time zone (API-DECISIONS "Paths and envelopes"), the client may name its
 * own today with `date`.
 */
import { badRequest } from '../../engine/errors.ts';

function parts(tz: string, ms: number): Record<string, number> {
  const f = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** A valid IANA zone, or UTC. */
export function zone(tz: string | null | undefined): string {
  if (!tz) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return tz;
  } catch {
    return 'UTC';
  }
}

/** `YYYY-MM-DD` of the instant `ms` in `tz`. */
export function dateIn(tz: string, ms: number): string {
  const p = parts(tz, ms);
  return `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The instant of local `date` `time` (HH:mm) in `tz`. */
export function instantOf(date: string, time: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  let guess = wall;
  for (let i = 0; i < 2; i++) {
    const p = parts(tz, guess);
    const seen = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
    guess += wall - seen;
  }
  return guess;
}

export interface WindowRule {
  eventDate: string;
  eventTime: string | null;
  /** Minutes before the start; -1 = anytime; null = the configured default. */
  earlyEntry: number | null;
}

/**
 * Throws unless the room may be entered now: the event is today (the caller's `date`, else today in
 * `tz`) and, when it has a start time, we are within its early-entry window.
 */
export function checkWindow(
  rule: WindowRule,
  opts: { now: number; tz: string; date?: string | undefined; defaultEarly: number },
): void {
  const today = opts.date ?? dateIn(opts.tz, opts.now);
  if (rule.eventDate !== today)
    throw badRequest('This event is not today; its meeting room is closed', {
      eventDate: rule.eventDate,
      today,
    });
  const early = rule.earlyEntry ?? opts.defaultEarly;
  if (early === -1 || !rule.eventTime) return;
  const opensAt = instantOf(rule.eventDate, rule.eventTime, opts.tz) - early * 60_000;
  if (opts.now < opensAt)
    throw badRequest(`The meeting room opens ${early} minutes before the event starts`, {
      opensAt: new Date(opensAt).toISOString(),
    });
}
