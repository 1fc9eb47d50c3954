/** What every spaces/channels/messages service is built on. */
import type { Engine } from '../../engine/index.ts';
import type { SpaceClient } from '../../actors/space/space.client.ts';
import type { MessageWriter } from '../../actors/space/space.writer.ts';
import type { Notifier } from '../notifications/notifier.ts';

export type SpacesPorts = Pick<Engine, 'config' | 'clock' | 'ids' | 'storage' | 'log' | 'rooms' | 'bus'>;

export interface SpacesDeps {
  ports: SpacesPorts;
  /** Asks space actors and waits for their effects (actors/space/space.client.ts). */
  actors: SpaceClient;
  writer: MessageWriter;
  /** Notifications a space feature sends itself (portal_invite). */
  notifier: Notifier;
}
