/**
 * Asynchronous triggers: the space actor and the message writer publish `WorkflowTrigger`s on
 * `<NAMESPACE>.workflows.trigger.<type>` (actors/space/space.effects.ts). One node of the queue group
 * takes each, checks cheaply whether the space has an enabled workflow for that trigger (a short
 * cache), and hands it to the jobs port (`workflows.run`, de-duplicated by the effect id). The send
 * path never waits for any of this.
 *
 * image_uploaded / gpx_uploaded arrive once per attachment; a workflow runs once per message (a KV
 * claim), with imageCount / gpxCount from the message's attachments. A trigger whose message is a copy
 * made by a workflow (copy_images_to_gallery / copy_routes_to_library) carries that workflow's chain.
 */
import type { Engine } from '../engine/index.ts';
import type { Db } from '../engine/db/index.ts';
import { decodeJson, type BusSubscription } from '../engine/bus/index.ts';
import type { AttachmentRef, WorkflowTrigger } from '../actors/space/space.events.ts';
import type { TriggerEvent } from './trigger.ts';
import type { PluginPort } from './actions.ts';

export const RUN_QUEUE = 'workflows.run';
const CACHE_MS = 2000;
const ONCE_TTL_MS = 3600_000;
export const CAUSE_TTL_MS = 300_000;

export const causeKey = (channelId: string, attachmentId: string) => `wf:cause:${channelId}:${attachmentId}`;

export class TriggerIntake {
  private sub: BusSubscription | null = null;
  private readonly cache = new Map<string, { at: number; types: Set<string> }>();

  constructor(
    private readonly e: Pick<Engine, 'bus' | 'jobs' | 'kv' | 'log' | 'config' | 'clock'>,
    private readonly db: Db,
    private readonly plugins: () => PluginPort | null,
  ) {}

  /** Forget a space's cached trigger types (its workflows changed on this node). */
  invalidate(spaceId: string): void {
    this.cache.delete(spaceId);
  }

  private async types(spaceId: string): Promise<Set<string>> {
    const hit = this.cache.get(spaceId);
    const now = this.e.clock.now();
    if (hit && now - hit.at < CACHE_MS) return hit.types;
    const rows = await this.db
      .selectFrom('workflows')
      .select('trigger_type')
      .distinct()
      .where('space_id', '=', spaceId)
      .where('enabled', '=', true)
      .execute();
    const types = new Set(rows.map((r) => r.trigger_type));
    for (const t of (await this.plugins()?.triggerTypes(spaceId)) ?? []) types.add(t);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(spaceId, { at: now, types });
    return types;
  }

  start(): void {
    const ns = this.e.config.NAMESPACE;
    this.sub = this.e.bus.subscribe(
      `${ns}.workflows.trigger.>`,
      (msg) => {
        let t: WorkflowTrigger & { effectId: string };
        try {
          t = decodeJson(msg.data);
        } catch {
          return;
        }
        this.take(t).catch((err: Error) =>
          this.e.log.warn(
            { err: err.message, trigger: t.type, spaceId: t.spaceId },
            'workflow trigger dropped',
          ),
        );
      },
      { queue: `${ns}.workflows` },
    );
  }

  stop(): void {
    this.sub?.unsubscribe();
    this.sub = null;
  }

  private async take(t: WorkflowTrigger & { effectId: string }): Promise<void> {
    if (!(await this.types(t.spaceId)).has(t.type)) return;
    let ev: TriggerEvent;
    if (t.type === 'member_joined') {
      ev = { type: t.type, spaceId: t.spaceId, userId: t.userId, inviteCode: t.inviteCode, chain: [] };
    } else {
      if (
        t.type !== 'message_created' &&
        !(await this.e.kv.setIfAbsent(`wf:once:${t.type}:${t.messageId}`, '1', ONCE_TTL_MS))
      )
        return;
      const m = await this.db
        .selectFrom('messages')
        .select(['attachments', 'content'])
        .where('id', '=', t.messageId)
        .executeTakeFirst();
      const attachments: AttachmentRef[] = m?.attachments ?? [];
      ev = {
        type: t.type,
        spaceId: t.spaceId,
        userId: t.userId,
        channelId: t.channelId,
        messageId: t.messageId,
        messageContent: m?.content ?? ('content' in t ? t.content : ''),
        attachments,
        chain: await this.causedBy(t.channelId, attachments),
      };
    }
    await this.e.jobs.enqueue(RUN_QUEUE, ev, { jobId: `wf-${t.effectId.replace(/:/g, '-')}`, attempts: 1 });
  }

  private async causedBy(channelId: string, attachments: AttachmentRef[]): Promise<string[]> {
    for (const a of attachments) {
      const c = await this.e.kv.get(causeKey(channelId, a.id));
      if (c) return JSON.parse(c) as string[];
    }
    return [];
  }
}
