/** Rows of the devices table (migration 20261125_0042_devices). */
import type { Db } from '../../engine/db/index.ts';
import type { PushPlatform, PushTokenType } from '../../engine/push/index.ts';
import './tables.ts';

export interface DeviceRow {
  token: string;
  user_id: string;
  platform: PushPlatform;
  token_type: PushTokenType;
}

/** A token belongs to whoever registered it last (a device that changes accounts moves with it). */
export async function upsertDevice(
  db: Db,
  d: {
    token: string;
    userId: string;
    platform: PushPlatform;
    tokenType: PushTokenType;
    appVersion: string | null;
  },
  now: Date,
): Promise<void> {
  await db
    .insertInto('devices')
    .values({
      token: d.token,
      user_id: d.userId,
      platform: d.platform,
      token_type: d.tokenType,
      app_version: d.appVersion,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('token').doUpdateSet({
        user_id: d.userId,
        platform: d.platform,
        token_type: d.tokenType,
        app_version: d.appVersion,
        updated_at: now,
      }),
    )
    .execute();
}

export async function deleteDevice(db: Db, token: string, userId?: string): Promise<number> {
  let q = db.deleteFrom('devices').where('token', '=', token);
  if (userId) q = q.where('user_id', '=', userId);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function devicesOf(db: Db, userIds: string[]): Promise<DeviceRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('devices')
    .select(['token', 'user_id', 'platform', 'token_type'])
    .where('user_id', 'in', userIds)
    .execute();
}
