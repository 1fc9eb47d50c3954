/**
 * Occurrence dates of a series rule (spec "Recurring Event Series"), through rrule (RFC 5545 RRULE):
 * `weekly` / `monthly`, `interval`, `byDay`, `bySetPos` for monthly ("3rd Friday" = FR + 3),
 * from `dtstart` to `until` inclusive. Dates only: the rule runs on UTC midnights so no time zone
 * can move a day. Weekly intervals count whole weeks from dtstart.
 */
import rrulePkg from 'rrule';
import { badRequest } from '../../engine/errors.ts';
import type { DayCode } from './tables.ts';

const { RRule } = rrulePkg;

export interface Rule {
  freq: 'weekly' | 'monthly';
  interval: number;
  byDay: DayCode[];
  bySetPos?: number | null | undefined;
  dtstart: string;
  until: string;
}

/** The most occurrences one series may generate (a weekly rule over ~10 years). */
export const MAX_OCCURRENCES = 520;

const DAYS = {
  SU: RRule.SU,
  MO: RRule.MO,
  TU: RRule.TU,
  WE: RRule.WE,
  TH: RRule.TH,
  FR: RRule.FR,
  SA: RRule.SA,
};

const utc = (d: string) => {
  const [y, m, day] = d.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, day));
};

/** Every occurrence date `YYYY-MM-DD`, ascending; 400 when the rule is empty or too long. */
export function occurrenceDates(rule: Rule): string[] {
  if (rule.until < rule.dtstart) throw badRequest('recurrenceRule.until must not be before dtstart');
  if (rule.bySetPos != null && rule.freq !== 'monthly')
    throw badRequest('recurrenceRule.bySetPos applies to monthly rules only');
  const r = new RRule({
    freq: rule.freq === 'weekly' ? RRule.WEEKLY : RRule.MONTHLY,
    interval: rule.interval,
    byweekday: [...new Set(rule.byDay)].map((d) => DAYS[d]),
    ...(rule.bySetPos != null ? { bysetpos: [rule.bySetPos] } : {}),
    // Weeks start on dtstart's weekday, so "every 3 weeks" counts from the first matching day on or
    // after dtstart (with RFC 5545's default WKST=MO a Sunday dtstart would skip its own week).
    wkst: (utc(rule.dtstart).getUTCDay() + 6) % 7,
    dtstart: utc(rule.dtstart),
    until: new Date(utc(rule.until).getTime() + 86_399_000),
    count: MAX_OCCURRENCES + 1,
  });
  const dates = r.all().map((d) => d.toISOString().slice(0, 10));
  if (dates.length > MAX_OCCURRENCES)
    throw badRequest(`A series may have at most ${MAX_OCCURRENCES} occurrences; shorten until`);
  if (dates.length === 0) throw badRequest('The recurrence rule produces no occurrences');
  return dates;
}
