/**
 * Push devices and push dispatch (spec "Push Notification Devices", "Push Behavior for Calls").
 *
 *   const push = createPush(engine);        // at the composition root
 *   await push.service.enqueue({ kind: 'dm', userIds, ... });
 */
import path from 'node:path';
import type { Engine } from '../../engine/index.ts';
import { createPushSender, type PushSender } from '../../engine/push/index.ts';
import { DevicesService } from './devices.service.ts';
import { PushService } from './push.service.ts';

export { DevicesService } from './devices.service.ts';
export { PushService, type PushIntent } from './push.service.ts';
export { RegisterDeviceInput } from './devices.schema.ts';

export interface Push {
  devices: DevicesService;
  service: PushService;
  sender: PushSender;
}

export function createPush(engine: Engine): Push {
  const sender = createPushSender({
    config: engine.config,
    log: engine.log.child({ component: 'push' }),
    clock: engine.clock,
    outboxDir: path.join(engine.config.DATA_DIR, 'outbox'),
  });
  const service = new PushService(engine.db.db, sender, engine.jobs, engine.log);
  service.register();
  return { devices: new DevicesService(engine.clock), service, sender };
}
