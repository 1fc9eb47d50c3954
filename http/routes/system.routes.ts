/** System: GET /health (spec "System") with each port's mode and state. */
import { Reply } from '../context.ts';
import type { Router } from '../router.ts';
import type { RouteDeps } from './deps.ts';

interface PortHealth {
  mode: string;
  state: 'up' | 'down' | 'degraded';
  error?: string;
}

export function registerSystemRoutes(r: Router, { engine }: RouteDeps): void {
  r.get('/health', { auth: 'none' }, async () => {
    const check = async (mode: string, probe: () => Promise<unknown>): Promise<PortHealth> => {
      try {
        await probe();
        return { mode, state: 'up' };
      } catch (err) {
        return { mode, state: 'down', error: err instanceof Error ? err.message : String(err) };
      }
    };
    const [db, kv] = await Promise.all([
      check(engine.db.mode, () => engine.db.ping(1500)),
      check(engine.kv.mode, () => Promise.race([engine.kv.ping(), timeout(1500)])),
    ]);
    const busState = engine.bus.state();
    const bus: PortHealth = { mode: engine.bus.mode, state: busState === 'connected' ? 'up' : 'down' };
    if (busState !== 'connected') bus.error = busState;
    const ports = { db, bus, kv, jobs: { mode: engine.jobs.mode, state: kv.state } };
    const ok = [db, bus, kv].every((p) => p.state === 'up');
    const body = { status: ok ? 'ok' : 'degraded', node: engine.nodeName, ports };
    return ok ? body : new Reply(503, body);
  });
}

const timeout = (ms: number) =>
  new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref(),
  );
