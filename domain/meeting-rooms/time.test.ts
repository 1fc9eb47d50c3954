import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWindow, dateIn, instantOf } from './time.ts';

test('dates and local times in a zone', () => {
  const ms = Date.parse('2026-03-25T23:30:00Z');
  assert.equal(dateIn('UTC', ms), '2026-03-25');
  assert.equal(dateIn('Europe/Berlin', ms), '2026-03-26');
  assert.equal(
    new Date(instantOf('2026-03-25', '14:00', 'America/New_York')).toISOString(),
    '2026-03-25T18:00:00.000Z',
  );
  assert.equal(
    new Date(instantOf('2026-07-01', '09:30', 'Europe/Berlin')).toISOString(),
    '2026-07-01T07:30:00.000Z',
  );
});

test('window: not today, too early, early entry, anytime, date override', () => {
  const now = Date.parse('2026-03-25T13:40:00Z');
  const base = { now, tz: 'UTC', defaultEarly: 15 };
  assert.throws(
    () => checkWindow({ eventDate: '2026-03-26', eventTime: null, earlyEntry: null }, base),
    /not today/,
  );
  assert.throws(
    () => checkWindow({ eventDate: '2026-03-25', eventTime: '14:00', earlyEntry: 10 }, base),
    /opens 10 minutes/,
  );
  checkWindow({ eventDate: '2026-03-25', eventTime: '14:00', earlyEntry: 30 }, base);
  checkWindow({ eventDate: '2026-03-25', eventTime: '23:00', earlyEntry: -1 }, base);
  checkWindow(
    { eventDate: '2026-03-26', eventTime: null, earlyEntry: null },
    { ...base, date: '2026-03-26' },
  );
});
