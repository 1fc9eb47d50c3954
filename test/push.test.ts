/**
 * The push adapters against local fakes of the providers: what FCM and APNs receive for each kind
 * of message (spec "Push Behavior for Calls"), and the "unregistered" outcome that makes reef
 * delete a token.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { loadConfig } from '../engine/config.ts';
import { createLogger } from '../engine/log.ts';
import { ManualClock } from '../engine/clock.ts';
import { createPushSender, type PushSender } from '../engine/push/index.ts';
import { FakeFcm } from './fakes/fcm.ts';
import { FakeApns } from './fakes/apns.ts';

let fcm: FakeFcm;
let apns: FakeApns;
let sender: PushSender;
const clock = new ManualClock(1_800_000_000_000);
const outboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-push-'));

before(async () => {
  [fcm, apns] = await Promise.all([FakeFcm.start(), FakeApns.start()]);
  const config = loadConfig({ ...fcm.env(), ...apns.env() });
  sender = createPushSender({ config, log: createLogger('silent'), clock, outboxDir });
});
after(async () => {
  await sender.close();
  await Promise.all([fcm.close(), apns.close()]);
  fs.rmSync(outboxDir, { recursive: true, force: true });
});

test('Android: a high-priority data-only FCM message, with an OAuth token from the service account', async () => {
  const out = await sender.send({
    token: 'android-1',
    platform: 'android',
    tokenType: 'standard',
    data: { type: 'incoming_call', callId: '42' },
    priority: 'high',
    ttlSeconds: 60,
  });
  assert.deepEqual(out, { status: 'sent', provider: 'fcm' });
  const [req] = await fcm.sent.waitFor((r) => r.message.token === 'android-1');
  assert.equal(req!.host, 'fcm.googleapis.com');
  assert.equal(req!.path, '/v1/projects/reef-test/messages:send');
  assert.equal(req!.authorization, 'Bearer fake-access-token');
  assert.deepEqual(req!.message.data, { type: 'incoming_call', callId: '42' });
  assert.equal(req!.message.notification, undefined, 'no notification block');
  assert.equal(req!.message.android?.priority, 'high');
  assert.equal(req!.message.android?.ttl, '60s');
  // The grant was a signed JWT for the service account.
  assert.match(
    fcm.tokenRequests[0] ?? '',
    /grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=ey/,
  );
});

test('Android: an alert carries a notification block', async () => {
  await sender.send({
    token: 'android-2',
    platform: 'android',
    tokenType: 'standard',
    alert: { title: 'alice', body: 'hi' },
    data: { type: 'dm' },
    priority: 'normal',
  });
  const [req] = await fcm.sent.waitFor((r) => r.message.token === 'android-2');
  assert.deepEqual(req!.message.notification, { title: 'alice', body: 'hi' });
  assert.equal(req!.message.android?.priority, 'normal');
});

test('iOS VoIP: PushKit push, data only, topic ac.crab.mobile.voip, expires after the ttl', async () => {
  const out = await sender.send({
    token: 'ios-voip-1',
    platform: 'ios',
    tokenType: 'voip',
    data: { callId: '42', conversationId: '7', callerName: 'alice', callerAvatarUrl: '' },
    priority: 'high',
    ttlSeconds: 60,
  });
  assert.deepEqual(out, { status: 'sent', provider: 'apns' });
  const [req] = await apns.sent.waitFor((r) => r.token === 'ios-voip-1');
  assert.equal(req!.headers.pushType, 'voip');
  assert.equal(req!.headers.topic, 'ac.crab.mobile.voip');
  assert.equal(req!.headers.priority, '10');
  assert.equal(req!.headers.expiration, String(Math.floor(clock.now() / 1000) + 60));
  assert.match(req!.headers.authorization, /^bearer ey/);
  assert.deepEqual(req!.payload, {
    callId: '42',
    conversationId: '7',
    callerName: 'alice',
    callerAvatarUrl: '',
  });
});

test('iOS standard: an alert with the data beside aps; a silent push is background with content-available', async () => {
  await sender.send({
    token: 'ios-std-1',
    platform: 'ios',
    tokenType: 'standard',
    alert: { title: 'Incoming call', body: 'alice is calling' },
    data: { callId: '42' },
    priority: 'high',
  });
  const [alert] = await apns.sent.waitFor((r) => r.token === 'ios-std-1');
  assert.equal(alert!.headers.pushType, 'alert');
  assert.equal(alert!.headers.topic, 'ac.crab.mobile');
  assert.deepEqual(alert!.payload.aps, {
    alert: { title: 'Incoming call', body: 'alice is calling' },
    sound: 'default',
  });
  assert.equal(alert!.payload.callId, '42');

  await sender.send({
    token: 'ios-std-2',
    platform: 'ios',
    tokenType: 'standard',
    data: { type: 'call_ended', callId: '42' },
    priority: 'high',
  });
  const [silent] = await apns.sent.waitFor((r) => r.token === 'ios-std-2');
  assert.equal(silent!.headers.pushType, 'background');
  assert.equal(silent!.headers.priority, '5');
  assert.deepEqual(silent!.payload, { aps: { 'content-available': 1 }, type: 'call_ended', callId: '42' });
});

test('a token the provider calls unregistered is reported as such (FCM 404 UNREGISTERED, APNs 410)', async () => {
  fcm.unregistered.add('android-gone');
  apns.unregistered.add('ios-gone');
  const a = await sender.send({
    token: 'android-gone',
    platform: 'android',
    tokenType: 'standard',
    data: {},
    priority: 'high',
  });
  const i = await sender.send({
    token: 'ios-gone',
    platform: 'ios',
    tokenType: 'voip',
    data: {},
    priority: 'high',
  });
  assert.equal(a.status, 'unregistered');
  assert.equal(i.status, 'unregistered');
});

test('without credentials, pushes go to the outbox file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-push-'));
  const outbox = createPushSender({
    config: loadConfig({}),
    log: createLogger('silent'),
    clock,
    outboxDir: dir,
  });
  assert.equal(outbox.mode, 'outbox');
  await outbox.send({
    token: 't',
    platform: 'ios',
    tokenType: 'voip',
    data: { callId: '1' },
    priority: 'high',
  });
  const lines = fs.readFileSync(path.join(dir, 'push.jsonl'), 'utf8').trim().split('\n');
  assert.deepEqual(JSON.parse(lines[0]!).data, { callId: '1' });
  fs.rmSync(dir, { recursive: true, force: true });
});
