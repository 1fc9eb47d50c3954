/**
 * Notification preferences (social-graph-api "Notification Preferences"): per type, one toggle per
 * channel (`email`, `in_app`, `mobile`). A type the user never changed has its catalogue defaults.
 */
import * as v from 'valibot';
import type { Clock } from '../../engine/clock.ts';
import type { Db } from '../../engine/db/index.ts';
import { badRequest } from '../../engine/errors.ts';
import { CHANNELS, defaultChannels, NOTIFICATION_TYPES, notificationType, type Channels } from './catalog.ts';
import { preferencesOf, upsertPreference } from './notifications.repository.ts';

export const SubscriptionsInput = v.object({
  selections: v.pipe(
    v.array(
      v.object({
        notif_id: v.pipe(v.string(), v.minLength(1), v.maxLength(64)),
        channels: v.object({
          email: v.optional(v.boolean()),
          in_app: v.optional(v.boolean()),
          mobile: v.optional(v.boolean()),
        }),
      }),
    ),
    v.minLength(1, 'must list at least one selection'),
    v.maxLength(100, 'must list at most 100 selections'),
  ),
});
export type SubscriptionsInput = v.InferOutput<typeof SubscriptionsInput>;

export interface SubscriptionsDto {
  status: 'success';
  available_channels: readonly string[];
  subscriptions: Array<{
    group_name: string;
    subscriptions: Array<{ name: string; notif_id: string; description: string }>;
  }>;
  user_selections: Array<{ notif_id: string; channels: Channels }>;
  user_context: Record<string, boolean>;
}

export class PreferencesService {
  constructor(private readonly clock: Clock) {}

  /** The channels a notification of `type` goes to for this user. */
  async channelsFor(db: Db, userId: string, type: string): Promise<Channels> {
    const [row] = await preferencesOf(db, userId, type);
    return row ? { email: row.email, in_app: row.in_app, mobile: row.mobile } : defaultChannels(type);
  }

  /** GET /notifications/me/subscriptions */
  async get(db: Db, userId: string, context: Record<string, boolean>): Promise<SubscriptionsDto> {
    const saved = new Map((await preferencesOf(db, userId)).map((r) => [r.type, r]));
    const groups = new Map<string, SubscriptionsDto['subscriptions'][number]>();
    for (const t of NOTIFICATION_TYPES) {
      let g = groups.get(t.group);
      if (!g) groups.set(t.group, (g = { group_name: t.group, subscriptions: [] }));
      g.subscriptions.push({ name: t.name, notif_id: t.id, description: t.description });
    }
    return {
      status: 'success',
      available_channels: CHANNELS,
      subscriptions: [...groups.values()],
      user_selections: NOTIFICATION_TYPES.map((t) => {
        const r = saved.get(t.id);
        return {
          notif_id: t.id,
          channels: r ? { email: r.email, in_app: r.in_app, mobile: r.mobile } : { ...t.defaults },
        };
      }),
      user_context: context,
    };
  }

  /** PUT /notifications/me/subscriptions: channels not given keep their current value. */
  async update(db: Db, userId: string, input: SubscriptionsInput): Promise<{ status: 'success' }> {
    const unknown = input.selections.filter((s) => !notificationType(s.notif_id)).map((s) => s.notif_id);
    if (unknown.length) throw badRequest(`Unknown notification type: ${unknown.join(', ')}`, { unknown });
    const now = new Date(this.clock.now());
    for (const s of input.selections) {
      const current = await this.channelsFor(db, userId, s.notif_id);
      await upsertPreference(
        db,
        {
          userId,
          type: s.notif_id,
          email: s.channels.email ?? current.email,
          in_app: s.channels.in_app ?? current.in_app,
          mobile: s.channels.mobile ?? current.mobile,
        },
        now,
      );
    }
    return { status: 'success' };
  }
}
