/** Unit tests of the timeline event inputs (timeline-api shapes, reef's limits). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v from 'valibot';
import { FeedQuery, ItemMetadata, PersonalRecommendationInput, ReviewInput } from './events.schema.ts';
import { HIDEABLE_TYPES } from './events.service.ts';

test('item metadata: flat, non-empty, at most 30 keys and 4 KB', () => {
  assert.ok(v.is(ItemMetadata, { recording_mbid: 'x', n: 1, ok: true, none: null }));
  assert.ok(!v.is(ItemMetadata, {}));
  assert.ok(!v.is(ItemMetadata, { nested: { a: 1 } }));
  assert.ok(!v.is(ItemMetadata, { list: [1] }));
  assert.ok(!v.is(ItemMetadata, Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i]))));
  assert.ok(!v.is(ItemMetadata, { big: 'x'.repeat(5000) }));
  assert.ok(!v.is(ItemMetadata, { nul: 'a\0b' }));
});

test('review: rating 1–5 (optional), a language code, required entity fields', () => {
  const ok = { entityName: 'n', entityId: 'i', entityType: 'recording', text: 't', language: 'en' };
  assert.ok(v.is(ReviewInput, ok));
  assert.ok(v.is(ReviewInput, { ...ok, rating: 1 }));
  assert.ok(v.is(ReviewInput, { ...ok, language: 'pt-BR' }));
  assert.ok(!v.is(ReviewInput, { ...ok, rating: 0 }));
  assert.ok(!v.is(ReviewInput, { ...ok, rating: 4.5 }));
  assert.ok(!v.is(ReviewInput, { ...ok, language: 'english' }));
  assert.ok(!v.is(ReviewInput, { ...ok, entityType: undefined }));
});

test('personal recommendation needs at least one recipient id', () => {
  const base = { metadata: { a: 1 }, blurbContent: 'hi' };
  assert.ok(v.is(PersonalRecommendationInput, { ...base, userIds: ['123'] }));
  assert.ok(!v.is(PersonalRecommendationInput, { ...base, userIds: [] }));
  assert.ok(!v.is(PersonalRecommendationInput, { ...base, userIds: ['bob'] }));
});

test('feed query: unix seconds and a positive count, as strings', () => {
  assert.deepEqual(v.parse(FeedQuery, { min_ts: '10', max_ts: '20', count: '5' }), {
    min_ts: 10,
    max_ts: 20,
    count: 5,
  });
  assert.deepEqual(v.parse(FeedQuery, {}), {});
  assert.ok(!v.is(FeedQuery, { count: '0' }));
  assert.ok(!v.is(FeedQuery, { max_ts: '2026-01-01' }));
});

test('only recommendations can be hidden (the spec: recording_recommendation, recording_pin)', () => {
  assert.deepEqual(HIDEABLE_TYPES, ['recommendation']);
});
