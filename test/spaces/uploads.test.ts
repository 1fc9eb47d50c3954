import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext } from '../context.ts';
import { decodeJson } from '../../engine/bus/index.ts';
import { Permission } from '../../actors/space/permissions.ts';
import { addMember, createSpace, expectStatus } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000' } });
});
after(() => t.close());

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
function form(
  files: Array<{ name: string; type: string; data: Buffer }>,
  fields: Record<string, string> = {},
): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  for (const x of files) f.append('files', new Blob([x.data], { type: x.type }), x.name);
  return f;
}

test('upload: attachments stored and served, workflow triggers published, limits and ATTACH_FILES enforced', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const ns = t.config.NAMESPACE;
  const triggers: any[] = [];
  const sub = t.reef.engine.bus.subscribe(`${ns}.workflows.trigger.>`, (m) =>
    triggers.push({ subject: m.subject, ...decodeJson<any>(m.data) }),
  );
  try {
    const gpx = Buffer.from('<gpx version="1.1"></gpx>');
    const res = await t.api('POST', `/channels/${space.generalId}/messages/upload`, {
      token: bob.accessToken,
      raw: form(
        [
          { name: 'dot.png', type: 'image/png', data: PNG },
          { name: '../../evil trail.gpx', type: 'application/gpx+xml', data: gpx },
        ],
        { content: 'pics' },
      ),
    });
    assert.equal(res.status, 201, res.text);
    const m = res.body;
    assert.equal(m.content, 'pics');
    assert.deepEqual(
      m.attachments.map((a: any) => [a.filename, a.mimeType, a.size]),
      [
        ['dot.png', 'image/png', PNG.length],
        ['evil trail.gpx', 'application/gpx+xml', gpx.length],
      ],
    );
    for (const a of m.attachments) assert.match(a.url, /^\/uploads\/attachments\/\d+\.(png|gpx)$/);
    const served = await t.api('GET', m.attachments[0].url);
    assert.equal(served.status, 200);
    assert.equal(
      Buffer.from(await (await fetch(t.url + m.attachments[0].url)).arrayBuffer()).equals(PNG),
      true,
    );
    const listed = await expectStatus(
      t.api('GET', `/channels/${space.generalId}/messages`, { token: space.owner.accessToken }),
      200,
    );
    assert.deepEqual(listed[0].attachments, m.attachments);
    const traversal = await fetch(`${t.url}/uploads/..%2F..%2Fetc%2Fpasswd`);
    assert.ok([400, 403, 404].includes(traversal.status), `traversal answered ${traversal.status}`);
    // Workflow triggers: message_created, image_uploaded, gpx_uploaded (documented bus subjects).
    await new Promise((r) => setTimeout(r, 50));
    const types = triggers
      .filter((x) => x.messageId === m.id)
      .map((x) => x.type)
      .sort();
    assert.deepEqual(types, ['gpx_uploaded', 'image_uploaded', 'message_created']);
    const img = triggers.find((x) => x.type === 'image_uploaded');
    assert.deepEqual(
      [img.subject, img.spaceId, img.channelId, img.userId, img.attachment.id],
      [`${ns}.workflows.trigger.image_uploaded`, space.id, space.generalId, bob.id, m.attachments[0].id],
    );
    // Add attachments later: the author only.
    await expectStatus(
      t.api('POST', `/channels/${space.generalId}/messages/${m.id}/attachments`, {
        token: space.owner.accessToken,
        raw: form([{ name: 'x.txt', type: 'text/plain', data: Buffer.from('x') }]),
      }),
      403,
    );
    const more = await expectStatus(
      t.api('POST', `/channels/${space.generalId}/messages/${m.id}/attachments`, {
        token: bob.accessToken,
        raw: form([{ name: 'x.txt', type: 'text/plain', data: Buffer.from('x') }]),
      }),
      200,
    );
    assert.equal(more.attachments.length, 3);
  } finally {
    sub.unsubscribe();
  }
  // Limits: a non-video over 10 MB is 413, a video of 11 MB is fine; more than 20 files is refused.
  const big = Buffer.alloc(10 * 1024 * 1024 + 1, 1);
  const tooBig = await t.api('POST', `/channels/${space.generalId}/messages/upload`, {
    token: bob.accessToken,
    raw: form([{ name: 'big.bin', type: 'application/octet-stream', data: big }]),
  });
  assert.equal(tooBig.status, 413);
  const video = await t.api('POST', `/channels/${space.generalId}/messages/upload`, {
    token: bob.accessToken,
    raw: form([{ name: 'v.mp4', type: 'video/mp4', data: big }]),
  });
  assert.equal(video.status, 201, video.text);
  const many = Array.from({ length: 21 }, (_, i) => ({
    name: `f${i}.txt`,
    type: 'text/plain',
    data: Buffer.from('x'),
  }));
  const r21 = await t.api('POST', `/channels/${space.generalId}/messages/upload`, {
    token: bob.accessToken,
    raw: form(many),
  });
  assert.ok([400, 413].includes(r21.status), r21.text);
  // Without ATTACH_FILES.
  await expectStatus(
    t.api('PUT', `/spaces/${space.id}/channels/${space.generalId}/overrides/${space.defaultRoleId}`, {
      token: space.owner.accessToken,
      body: { allow: '0', deny: Permission.ATTACH_FILES.toString() },
    }),
    200,
  );
  const denied = await t.api('POST', `/channels/${space.generalId}/messages/upload`, {
    token: bob.accessToken,
    raw: form([{ name: 'a.png', type: 'image/png', data: PNG }]),
  });
  assert.equal(denied.status, 403);
});

test('space icon: MANAGE_SPACE, images only', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const icon = (data: Buffer, type: string) => {
    const f = new FormData();
    f.append('icon', new Blob([data], { type }), 'icon');
    return f;
  };
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/icon`, { token: bob.accessToken, raw: icon(PNG, 'image/png') }),
    403,
  );
  await expectStatus(
    t.api('POST', `/spaces/${space.id}/icon`, {
      token: space.owner.accessToken,
      raw: icon(Buffer.from('x'), 'text/plain'),
    }),
    400,
  );
  const s = await expectStatus(
    t.api('POST', `/spaces/${space.id}/icon`, {
      token: space.owner.accessToken,
      raw: icon(PNG, 'image/png'),
    }),
    200,
  );
  assert.match(s.iconUrl, /^\/uploads\/space-icons\/\d+\.png$/);
  assert.equal(
    (await expectStatus(t.api('GET', `/spaces/${space.id}`, { token: bob.accessToken }), 200)).iconUrl,
    s.iconUrl,
  );
});
