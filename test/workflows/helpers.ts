/** Workflows for tests: create one through the API and wait for its execution logs. */
import type { TestContext } from '../context.ts';
import { until } from '../realtime-clients.ts';
import { expectStatus, type TestSpace } from '../spaces/helpers.ts';

export async function createWorkflow(
  t: TestContext,
  space: TestSpace,
  body: Record<string, unknown>,
): Promise<any> {
  return expectStatus(
    t.api('POST', `/spaces/${space.id}/workflows`, {
      token: space.owner.accessToken,
      body: { name: 'wf', ...body },
    }),
    201,
  );
}

export async function executions(t: TestContext, space: TestSpace, workflowId: string): Promise<any[]> {
  return expectStatus(
    t.api('GET', `/spaces/${space.id}/workflows/executions?workflowId=${workflowId}`, {
      token: space.owner.accessToken,
    }),
    200,
  );
}

/** Waits until a workflow has at least `n` execution logs; returns them newest first. */
export async function waitExecutions(
  t: TestContext,
  space: TestSpace,
  workflowId: string,
  n = 1,
): Promise<any[]> {
  let rows: any[] = [];
  await until(
    async () => (rows = await executions(t, space, workflowId)).length >= n,
    20_000,
    `${n} executions of ${workflowId}`,
  );
  return rows;
}

export async function messages(t: TestContext, token: string, channelId: string): Promise<any[]> {
  return expectStatus(t.api('GET', `/channels/${channelId}/messages`, { token }), 200);
}
