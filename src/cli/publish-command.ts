import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ApiClient, resolveApiKey, segment, withApiOptions } from './api-client.js';
import { EXIT, UsageError } from './exit-codes.js';

interface PublishOptions {
  tenant: string;
  data: string;
  id?: string;
  url: string;
  key?: string;
}

/** `--data` as JSON: inline, or `@path` to read it from a file (`@-`: standard input). */
export function readEventData(given: string): unknown {
  let text = given;
  if (given.startsWith('@')) {
    const path = given.slice(1);
    try {
      text = readFileSync(path === '-' ? 0 : path, 'utf8');
    } catch (error) {
      throw new UsageError(
        `--data ${given}: cannot read ${path} (${(error as { code?: string }).code ?? error})`,
      );
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--data is not JSON: ${(error as Error).message}`);
  }
}

async function publish(type: string, options: PublishOptions): Promise<number> {
  const data = readEventData(options.data);
  const client = new ApiClient(options.url, resolveApiKey(options.key, process.env));
  const answer = await client.call('POST', `/v1/tenants/${segment(options.tenant)}/events`, {
    event: type,
    data,
    ...(options.id === undefined ? {} : { id: options.id }),
  });
  process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
  return EXIT.ok;
}

export function addPublishCommand(program: Command, finish: (code: Promise<number>) => Promise<void>): void {
  withApiOptions(
    program
      .command('publish')
      .description("Publish an event to a tenant's webhooks and print Herald's answer.")
      .argument('<type>', 'event type, e.g. ingestion.completed')
      .requiredOption('--tenant <id>', 'the tenant publishing it')
      .option('--data <json>', "the event's data: JSON, or @file (@- reads standard input)", '{}')
      .option(
        '--id <id>',
        'idempotency key: a repeat within HERALD_IDEMPOTENCY_WINDOW is not delivered twice',
      ),
  ).action((type: string, options: PublishOptions) => finish(publish(type, options)));
}
