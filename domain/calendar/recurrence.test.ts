import { test } from 'node:test';
import assert from 'node:assert/strict';
import { occurrenceDates } from './recurrence.ts';
import { addMonths, dateIn } from './time.ts';

test('3rd Friday of each month over a year', () => {
  assert.deepEqual(
    occurrenceDates({
      freq: 'monthly',
      interval: 1,
      byDay: ['FR'],
      bySetPos: 3,
      dtstart: '2026-01-01',
      until: '2026-12-31',
    }),
    [
      '2026-01-16',
      '2026-02-20',
      '2026-03-20',
      '2026-04-17',
      '2026-05-15',
      '2026-06-19',
      '2026-07-17',
      '2026-08-21',
      '2026-09-18',
      '2026-10-16',
      '2026-11-20',
      '2026-12-18',
    ],
  );
});

test('every 3 weeks on Friday, until inclusive', () => {
  assert.deepEqual(
    occurrenceDates({
      freq: 'weekly',
      interval: 3,
      byDay: ['FR'],
      dtstart: '2026-03-01',
      until: '2026-04-24',
    }),
    ['2026-03-06', '2026-03-27', '2026-04-17'],
  );
});

test('bad rules are 400', () => {
  assert.throws(
    () =>
      occurrenceDates({
        freq: 'weekly',
        interval: 1,
        byDay: ['MO'],
        dtstart: '2026-03-02',
        until: '2026-03-01',
      }),
    /until/,
  );
  assert.throws(
    () =>
      occurrenceDates({
        freq: 'weekly',
        interval: 1,
        byDay: ['MO'],
        bySetPos: 2,
        dtstart: '2026-03-01',
        until: '2026-04-01',
      }),
    /monthly/,
  );
  assert.throws(
    () =>
      occurrenceDates({
        freq: 'weekly',
        interval: 1,
        byDay: ['MO'],
        dtstart: '2026-01-01',
        until: '2040-01-01',
      }),
    /at most/,
  );
});

test('dates in a zone and month arithmetic', () => {
  assert.equal(dateIn('Pacific/Auckland', Date.UTC(2026, 0, 1, 12)), '2026-01-02');
  assert.equal(dateIn('UTC', Date.UTC(2026, 0, 1, 12)), '2026-01-01');
  assert.equal(addMonths('2026-08-31', -6), '2026-02-28');
  assert.equal(addMonths('2026-01-15', 12), '2027-01-15');
});
