/** /api/v1: the shapes of spec/social-graph-api.txt as a thin adapter over reef's services (issue 8). */
import type { Router } from '../../router.ts';
import type { RouteDeps } from '../../routes/deps.ts';

export function registerCompatV1Routes(_r: Router, _deps: RouteDeps): void {}
