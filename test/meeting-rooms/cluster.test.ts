/**
 * A meeting room whose node is killed (SIGKILL, no goodbye) is not left open with ghost participants:
 * its shard moves to the surviving node, the room's durable sweep timer fires there once the
 * participants' heartbeats have lapsed, and the room closes (calendar:room_closed, the temporary
 * channel deleted, the projection idle). Two reef nodes on PostgreSQL, NATS and Redis; the doomed
 * one is a child process. Needs REEF_TEST_SERVICES=1, skipped otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigSchema } from '../../engine/config.ts';
import { SERVICES, SERVICE_URLS, TestContext, allocateNodeId, uniq } from '../context.ts';
import { SioClient, until } from '../realtime-clients.ts';
import { addMember, createSpace, expectStatus } from '../spaces/helpers.ts';
import { createEvent } from './helpers.ts';

const skip = SERVICES ? false : 'the multi-node meeting room test needs NATS: run with REEF_TEST_SERVICES=1';
const ROOT = path.resolve(import.meta.dirname, '../..');
const TTL_MS = 3000;

const clusterEnv = (ns: string, node: string) => ({
  NAMESPACE: ns,
  NODE_ID: node,
  ACTOR_SHARDS: '16',
  ACTOR_LEASE_TTL_MS: '2000',
  ACTOR_HEARTBEAT_MS: '200',
  ACTOR_MEMBER_TTL_MS: '1000',
  ACTOR_INBOX_POLL_MS: '200',
  ACTOR_OUTBOX_POLL_MS: '200',
  ACTOR_TIMER_POLL_MS: '200',
  MEETING_PARTICIPANT_TTL_MS: String(TTL_MS),
});

let a: TestContext;
let child: ChildProcess | null = null;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reef-mr-'));
const killChild = () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.once('exit', killChild);

/** `node main.ts` as the second node; resolves once it listens. */
function spawnNode(env: Record<string, string>): Promise<void> {
  const base = { ...process.env };
  for (const key of Object.keys(ConfigSchema.entries)) delete base[key];
  child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'main.ts'], {
    cwd: ROOT,
    env: { ...base, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let partial = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('second node did not listen in 90 s')), 90_000);
    child!.stdout!.on('data', (d: Buffer) => {
      partial += d.toString();
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const e = JSON.parse(line) as Record<string, unknown>;
        if (e['msg'] === 'reef listening') {
          clearTimeout(timer);
          resolve();
        }
      }
    });
    child!.on('exit', (code) => reject(new Error(`second node exited (${code}) before listening`)));
  });
}

before(async () => {
  if (!SERVICES) return;
  const ns = uniq('mrc');
  a = await TestContext.start({ env: clusterEnv(ns, '1') });
  await spawnNode({ ...SERVICE_URLS, ...clusterEnv(ns, '2'), NODE_ID: await allocateNodeId('2') });
  await until(
    () => a.reef.engine.actors.stats().liveMembers >= 2 && a.reef.engine.actors.stats().ownedShards < 16,
    30_000,
    'the second node owning shards',
  );
});
after(async () => {
  killChild();
  if (SERVICES) await a.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test(
  'a killed node leaves no ghost meeting room: the sweep timer closes it on the survivor',
  { skip },
  async () => {
    const space = await createSpace(a);
    await expectStatus(
      a.api('PUT', `/spaces/${space.id}/admin-settings`, {
        token: space.owner.accessToken,
        body: { allowPublicVoice: true },
      }),
      200,
    );
    const member = await addMember(a, space);
    const today = new Date(a.reef.engine.clock.now()).toISOString().slice(0, 10);
    // 1. An event whose room actor lives on the other node.
    let eventId = '';
    for (let i = 0; i < 60 && !eventId; i++) {
      const id = await createEvent(a, space, { eventDate: today, earlyEntry: -1, publicAccess: true });
      if (
        a.reef.engine.actors.locate({ kind: 'meeting-room', id: `e${id}` }).owner !== a.reef.engine.nodeName
      )
        eventId = id;
    }
    assert.ok(eventId, 'found an event whose room lives on the second node');
    const sock = await SioClient.connect(a, space.owner.accessToken);
    try {
      // 2. A member and a guest join through node a (the actor answers from the other node).
      const joined = await expectStatus(
        a.api('POST', `/spaces/${space.id}/calendar/events/${eventId}/room/join`, {
          token: member.accessToken,
          body: { date: today },
        }),
        200,
      );
      await expectStatus(
        a.api('POST', `/public/calendar/${space.slug}/events/${eventId}/meeting/join`, {
          body: { displayName: 'Ghost-to-be' },
        }),
        200,
      );
      const open = await a.reef.engine.actors.read<{ status: string }>({
        kind: 'meeting-room',
        id: `e${eventId}`,
      });
      assert.equal(open?.context.status, 'open');

      // 3. Kill the room's node. Nobody leaves, nobody heartbeats.
      const killedAt = Date.now();
      child!.kill('SIGKILL');
      await new Promise((r) => child!.once('exit', r));

      // 4. The room closes on node a: lease TTL + participant TTL + polling, well under 30 s.
      await sock.waitFor('calendar:room_closed', (d) => d.eventId === eventId, 30_000);
      const state = await a.reef.engine.actors.read<{
        status: string;
        members: unknown[];
        guests: unknown[];
      }>({
        kind: 'meeting-room',
        id: `e${eventId}`,
      });
      assert.deepEqual(
        [state?.context.status, state?.context.members, state?.context.guests],
        ['idle', [], []],
      );
      assert.equal(
        a.reef.engine.actors.locate({ kind: 'meeting-room', id: `e${eventId}` }).owner,
        a.reef.engine.nodeName,
      );
      assert.ok(Date.now() - killedAt >= TTL_MS - 500, 'not before the participants could have heartbeated');
      await until(
        async () =>
          (
            await a.reef.engine.db.db
              .selectFrom('channels')
              .select('id')
              .where('id', '=', joined.channelId)
              .execute()
          ).length === 0,
        15_000,
        'the temporary channel deleted',
      );
      const row = await a.reef.engine.db.db
        .selectFrom('meeting_rooms')
        .select(['status', 'participant_count'])
        .where('id', '=', `e${eventId}`)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'idle', participant_count: 0 });
    } finally {
      await sock.close();
    }
  },
);
