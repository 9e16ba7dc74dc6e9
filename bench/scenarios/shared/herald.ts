/** A fresh Herald for a run (`serve` on SQLite), and publishing to it. */
import { join } from 'node:path';
import { HeraldApi, HeraldProcess, newAdminKey } from '../../lib/herald.js';
import type { LoadPlan } from '../../lib/loadgen.js';
import { TENANT_ID } from '../../lib/payload.js';
import type { Context } from '../scenario.js';
import { freshDir } from './instances.js';

export interface FreshHerald {
  herald: HeraldProcess;
  api: HeraldApi;
  dir: string;
}

/** A fresh Herald (SQLite in its own directory), with the benchmark tenant and the given webhooks. */
export async function freshHerald(
  ctx: Context,
  webhookPaths: string[],
  env: Record<string, string> = {},
): Promise<FreshHerald> {
  const dir = freshDir(ctx, 'herald');
  const adminKey = newAdminKey();
  const herald = await HeraldProcess.start('serve', {
    database: join(dir, 'herald.db'),
    workDir: dir,
    adminKey,
    env,
    nodeArgs: ctx.heraldNodeArgs.map((arg) => arg.replace('{dir}', dir)),
  });
  const api = new HeraldApi(herald.url as string, adminKey);
  await api.createTenant();
  await api.createWebhooks(webhookPaths.map((path) => `${ctx.receiverUrl}${path}`));
  return { herald, api, dir };
}

export const eventsUrl = (api: HeraldApi) => `${api.url}/v1/tenants/${TENANT_ID}/events`;

/** Single-event publishes of `events` to Herald by `concurrency` clients. */
export function singlePublishes(api: HeraldApi, events: number, concurrency: number): LoadPlan {
  return { kind: 'single', url: eventsUrl(api), headers: api.auth, events, concurrency };
}

/** `events` published through the batch route (4 clients, 1,000 a request), or one by one (64 clients). */
export function publishPlan(api: HeraldApi, events: number, batch: boolean): LoadPlan {
  return batch
    ? {
        kind: 'batch',
        url: `${eventsUrl(api)}/batch`,
        headers: api.auth,
        events,
        concurrency: 4,
        batchSize: 1000,
      }
    : singlePublishes(api, events, 64);
}

let batchRoute: boolean | null = null;
/** Asks a throwaway Herald whether this build has the batch route (once per benchmark run). */
export async function batchRouteAvailable(ctx: Context): Promise<boolean> {
  if (batchRoute !== null) return batchRoute;
  const { herald, api } = await freshHerald(ctx, []);
  try {
    batchRoute = await api.hasBatchRoute();
  } finally {
    await herald.stop();
  }
  return batchRoute;
}
