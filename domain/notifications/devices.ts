/**
 * The push tokens a notification goes to: the user's standard tokens of the devices table (owned by
 * domain/devices, migration 0042; registered with POST /devices/register). Read here because
 * `PushService` only knows call and DM intents; a generic alert intent there would replace this.
 */
import type { Db } from '../../engine/db/index.ts';
import type { PushPlatform } from '../../engine/push/index.ts';
import '../devices/tables.ts';

export async function deviceTokensOf(
  db: Db,
  userId: string,
): Promise<Array<{ token: string; platform: PushPlatform }>> {
  return db
    .selectFrom('devices')
    .select(['token', 'platform'])
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('token_type', '=', 'standard'), eb('platform', '!=', 'ios')]))
    .orderBy('token')
    .execute();
}

/** Deletes a token the provider refused as unregistered (only while it still belongs to the user). */
export async function removeDeviceToken(db: Db, token: string, userId: string): Promise<void> {
  await db.deleteFrom('devices').where('token', '=', token).where('user_id', '=', userId).execute();
}
