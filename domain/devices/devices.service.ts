/** Spec "Push Notification Devices": register and unregister a user's device tokens. */
import type { Db } from '../../engine/db/index.ts';
import type { Clock } from '../../engine/clock.ts';
import { deleteDevice, upsertDevice } from './devices.repository.ts';
import type { RegisterDeviceInput } from './devices.schema.ts';

export class DevicesService {
  constructor(private readonly clock: Clock) {}

  async register(db: Db, userId: string, input: RegisterDeviceInput): Promise<{ success: true }> {
    await upsertDevice(
      db,
      {
        token: input.token,
        userId,
        platform: input.platform,
        tokenType: input.tokenType,
        appVersion: input.appVersion ?? null,
      },
      new Date(this.clock.now()),
    );
    return { success: true };
  }

  /** Only the owner's token is removed; an unknown token is not an error (idempotent). */
  async unregister(db: Db, userId: string, token: string): Promise<void> {
    await deleteDevice(db, token, userId);
  }
}
