import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { createSpace } from '../spaces/helpers.ts';
import { messages } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

test('capability API: grants enforced, KV scoped per plugin + space, allowed hosts only', async () => {
  const space = await createSpace(t);
  const other = await createSpace(t);
  const wf = t.reef.services.workflows;
  const a = wf.capabilities({ spaceId: space.id, pluginId: 'acme.a', grant: { kv: true, messages: true } });
  const b = wf.capabilities({ spaceId: space.id, pluginId: 'acme.b', grant: { kv: true } });
  const aElsewhere = wf.capabilities({ spaceId: other.id, pluginId: 'acme.a', grant: { kv: true } });
  await a.kv.set('k', 'from a');
  assert.equal(await a.kv.get('k'), 'from a');
  assert.equal(await b.kv.get('k'), null, 'another plugin does not see it');
  assert.equal(await aElsewhere.kv.get('k'), null, 'the same plugin in another space does not see it');
  await assert.rejects(b.sendMessage({ channelId: space.generalId, content: 'x' }), { code: 'NOT_GRANTED' });
  await assert.rejects(b.addRole({ userId: space.owner.id, roleId: space.defaultRoleId }), {
    code: 'NOT_GRANTED',
  });
  await assert.rejects(b.httpRequest({ url: 'https://example.com/' }), { code: 'NOT_GRANTED' });
  const h = wf.capabilities({
    spaceId: space.id,
    pluginId: 'acme.h',
    grant: { http: { hosts: ['api.example.com'] } },
  });
  await assert.rejects(h.httpRequest({ url: 'https://evil.example.org/' }), { code: 'HOST_NOT_ALLOWED' });
  // A granted message lands in the space's channel, and not in a channel of another space.
  const sent = await a.sendMessage({ channelId: space.generalId, content: 'hello from a plugin' });
  const ms = await messages(t, space.owner.accessToken, space.generalId);
  assert.ok(ms.some((m) => m.id === sent.messageId && m.content === 'hello from a plugin'));
  await assert.rejects(a.sendMessage({ channelId: other.generalId, content: 'cross-space' }));
});
