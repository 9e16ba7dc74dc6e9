import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ApiClient, allPages, resolveApiKey, segment, withApiOptions } from './api-client.js';
import { EXIT } from './exit-codes.js';

interface SkippedDeadLetters {
  webhookId: string;
  url: string;
  count: number;
  disabledReason: string | null;
}

interface ReplayAllOptions {
  tenant: string;
  webhook?: string;
  url: string;
  key?: string;
}

/**
 * Replays the dead letters of each webhook in turn, one replay-all call per webhook: the same as
 * one call for the whole tenant, in steps a progress bar can show. The counts are the server's,
 * what it left in the queue (a disabled webhook's letters) included: a replay that skipped some says so.
 */
async function replayAll(options: ReplayAllOptions): Promise<number> {
  const client = new ApiClient(options.url, resolveApiKey(options.key, process.env));
  const tenant = `/v1/tenants/${segment(options.tenant)}`;
  const webhookIds: string[] = [];
  if (options.webhook !== undefined) webhookIds.push(options.webhook);
  else
    for await (const hook of allPages<{ id: string }>(client, `${tenant}/webhooks`)) webhookIds.push(hook.id);

  const bar = process.stderr.isTTY
    ? new SingleBar({
        format: 'Replaying {bar} {value}/{total} webhooks | {replayed} dead letters replayed',
        stream: process.stderr,
      })
    : null;
  bar?.start(webhookIds.length, 0, { replayed: 0 });
  let replayed = 0;
  const skipped: SkippedDeadLetters[] = [];
  try {
    for (const webhookId of webhookIds) {
      const answer = await client.call<{ replayed: number; skipped: SkippedDeadLetters[] }>(
        'POST',
        `${tenant}/dlq/replay-all`,
        { webhookId },
      );
      replayed += answer.replayed;
      skipped.push(...answer.skipped);
      bar?.increment({ replayed });
    }
  } finally {
    bar?.stop();
  }
  process.stdout.write(
    `Replayed ${replayed} dead letter(s) of ${webhookIds.length} webhook(s) of ${options.tenant}.\n`,
  );
  for (const left of skipped) {
    const why = left.disabledReason ? `disabled: ${left.disabledReason}` : 'disabled';
    process.stdout.write(
      `Left ${left.count} dead letter(s) of ${left.webhookId} (${left.url}) in the queue: the webhook is ${why}. ` +
        `Enable it (PATCH status "active"), then replay.\n`,
    );
  }
  return EXIT.ok;
}

export function addDlqCommand(program: Command, finish: (code: Promise<number>) => Promise<void>): void {
  const dlq = program.command('dlq').description('Work on the dead letter queue of a running Herald.');
  withApiOptions(
    dlq
      .command('replay-all')
      .description(
        'Replay every dead letter of a tenant (or of one webhook) whose webhook is active: each starts a ' +
          'fresh delivery with the full retry schedule. Shows a progress bar on a terminal.',
      )
      .requiredOption('--tenant <id>', 'the tenant whose dead letters to replay')
      .option('--webhook <id>', 'only the dead letters of this webhook'),
  ).action((options: ReplayAllOptions) => finish(replayAll(options)));
}
