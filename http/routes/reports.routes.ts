/** Spec "Space Reports": POST /reports, the space's list and decisions, and the global admin's. */
import { forbidden } from '../../engine/errors.ts';
import { ReportInput, StatusInput, StatusQuery } from '../../domain/spaces/reports.service.ts';
import { created, me, type Ctx } from '../context.ts';
import type { Router } from '../router.ts';
import { body, id, query } from '../validate.ts';
import type { RouteDeps } from './deps.ts';

function admin(ctx: Ctx): string {
  const user = me(ctx);
  if (!user.isAdmin) throw forbidden('Admin access required');
  return user.id;
}

export function registerReportsRoutes(r: Router, { engine, services }: RouteDeps): void {
  const db = engine.db.db;
  const { reports } = services.spaces;
  r.post('/reports', async (ctx) => created(await reports.create(db, me(ctx).id, body(ctx, ReportInput))));
  r.get('/spaces/:spaceId/reports', async (ctx) =>
    reports.listForSpace(db, me(ctx).id, id(ctx, 'spaceId'), query(ctx, StatusQuery).status),
  );
  r.patch('/spaces/:spaceId/reports/:reportId', async (ctx) =>
    reports.setStatus(db, me(ctx).id, id(ctx, 'reportId'), body(ctx, StatusInput).status, id(ctx, 'spaceId')),
  );
  r.get('/reports', async (ctx) => {
    admin(ctx);
    return reports.listAll(db, query(ctx, StatusQuery).status);
  });
  r.patch('/reports/:reportId', async (ctx) =>
    reports.setStatus(db, admin(ctx), id(ctx, 'reportId'), body(ctx, StatusInput).status, null),
  );
}
