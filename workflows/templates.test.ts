import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, renderDeep } from './templates.ts';

test('double and single braces, nested paths, missing variables render empty', () => {
  const vars = { username: 'jane', args: { city: 'Oslo', n: 3 }, payload: { a: { b: [1, { c: 'x' }] } } };
  assert.equal(render('Hi {{username}} from {args.city} x{{ args.n }}', vars), 'Hi jane from Oslo x3');
  assert.equal(render('[{{payload.a.b.1.c}}][{{nope}}][{nope.deeper}][{{args.city.x}}]', vars), '[x][][][]');
  assert.equal(render('{"json": 1} {{payload.a}}', vars), '{"json": 1} {"b":[1,{"c":"x"}]}');
  assert.equal(render('{{__proto__}}{{constructor}}', vars), '');
  assert.deepEqual(renderDeep({ t: '{{username}}', n: 2, l: ['{args.city}'] }, vars), {
    t: 'jane',
    n: 2,
    l: ['Oslo'],
  });
});
