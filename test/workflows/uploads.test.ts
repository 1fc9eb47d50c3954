import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestContext, uniq } from '../context.ts';
import { until } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus } from '../spaces/helpers.ts';
import { createWorkflow, executions, messages, waitExecutions } from './helpers.ts';

let t: TestContext;
before(async () => {
  t = await TestContext.start({ env: { ACTOR_ASK_TIMEOUT_MS: '20000', WORKFLOW_MAX_CHAIN_DEPTH: '2' } });
});
after(() => t.close());

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
function form(files: Array<{ name: string; type: string; data: Buffer }>, content: string): FormData {
  const f = new FormData();
  f.append('content', content);
  for (const x of files) f.append('files', new Blob([x.data], { type: x.type }), x.name);
  return f;
}

test('image_uploaded / gpx_uploaded: once per message with counts; copies to gallery and library; a copy loop stops at the chain depth', async () => {
  const space = await createSpace(t);
  const bob = await addMember(t, space);
  const tok = space.owner.accessToken;
  const mk = (type: string) =>
    expectStatus(
      t.api('POST', `/spaces/${space.id}/channels`, { token: tok, body: { name: uniq('c'), type } }),
      201,
    );
  const gallery = await mk('media_gallery');
  const library = await mk('route_library');
  const images = await createWorkflow(t, space, {
    name: 'images',
    triggerType: 'image_uploaded',
    actions: [
      {
        type: 'send_admin_message',
        config: { content: '{{username}} posted {{imageCount}} images in #{{channelName}}' },
      },
      { type: 'copy_images_to_gallery', config: { channelId: gallery.id } },
    ],
  });
  const routes = await createWorkflow(t, space, {
    name: 'routes',
    triggerType: 'gpx_uploaded',
    triggerConfig: { channelId: space.generalId },
    actions: [{ type: 'copy_routes_to_library', config: { channelId: library.id } }],
  });
  const res = await t.api('POST', `/channels/${space.generalId}/messages/upload`, {
    token: bob.accessToken,
    raw: form(
      [
        { name: 'a.png', type: 'image/png', data: PNG },
        { name: 'b.png', type: 'image/png', data: PNG },
        { name: 'trail.gpx', type: 'application/gpx+xml', data: Buffer.from('<gpx version="1.1"></gpx>') },
      ],
      'trip',
    ),
  });
  assert.equal(res.status, 201, res.text);
  // 1. the gpx workflow ran once and copied the route into the library as bob.
  await waitExecutions(t, space, routes.id, 1);
  await until(async () => (await messages(t, bob.accessToken, library.id)).length === 1);
  const [route] = await messages(t, bob.accessToken, library.id);
  assert.equal(route.author.id, bob.id);
  assert.deepEqual(
    route.attachments.map((a: any) => a.filename),
    ['trail.gpx'],
  );
  // 2. the image workflow: run for the upload (chain 0), for the gallery copy (chain 1), then the
  //    copy of the copy is refused by the loop guard (chain 2): skipped, nothing more.
  const logs = await waitExecutions(t, space, images.id, 3);
  const byDepth = [...logs].sort((a, b) => a.chain.length - b.chain.length);
  assert.deepEqual(
    byDepth.map((l) => [l.status, l.chain.length]),
    [
      ['success', 0],
      ['success', 1],
      ['skipped', 2],
    ],
  );
  assert.match(byDepth[2].errorMessage, /^Loop guard/);
  const copies = await messages(t, bob.accessToken, gallery.id);
  assert.equal(copies.length, 2, 'the upload copied once, the copy copied once more, then the guard');
  assert.deepEqual(
    copies[0].attachments.map((a: any) => a.mimeType),
    ['image/png', 'image/png'],
  );
  const admin = await messages(t, tok, space.adminChannelId);
  assert.ok(admin.some((m) => m.content === `${bob.username} posted 2 images in #general`));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await executions(t, space, images.id)).length, 3);
  assert.equal(
    (await executions(t, space, routes.id)).length,
    1,
    'the library copy is outside the gpx filter',
  );
});
