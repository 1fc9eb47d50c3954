/** What timeline events need from the engine and other features (composition root: http/wiring/timeline.ts). */
import type { Engine } from '../../engine/index.ts';
import type { Notifier } from '../notifications/notifier.ts';

export type TimelinePorts = Pick<Engine, 'config' | 'clock' | 'ids' | 'log'>;

export interface TimelineDeps {
  notifier: Notifier;
}
