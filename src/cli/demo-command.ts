import { setTimeout as sleep } from 'node:timers/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../core/duration.js';
import { generateSecret } from '../core/signing.js';
import { ApiClient, ApiError, allPages, resolveApiKey, segment, withApiOptions } from './api-client.js';
import { wholeNumber } from './arguments.js';
import { deliveryAsText } from './delivery-format.js';
import { DemoEvents } from './demo-events.js';
import { CommandError, EXIT } from './exit-codes.js';
import { type ReceivedDelivery, type RunningReceiver, startReceiver } from './receiver.js';

interface DemoOptions {
  url: string;
  key?: string;
  tenant: string;
  webhookUrl?: string;
  listenPort: number;
  events?: number;
  duration: number;
  rate: number;
}

/** How long the demo waits, once it has published, for its own receiver to get the last deliveries. */
const DRAIN_MS = 10_000;

function durationOption(text: string): number {
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new InvalidArgumentError('must be a duration such as 30s or 2m');
  return ms;
}

async function ensureTenant(client: ApiClient, tenantId: string): Promise<void> {
  if (await client.find(`/v1/tenants/${segment(tenantId)}`)) return;
  await client.call('POST', '/v1/tenants', { id: tenantId, name: 'Demo (herald demo)' });
  process.stdout.write(`Created tenant ${tenantId}.\n`);
}

/**
 * The demo's webhook, signing with a secret the demo knows: one registered to the same URL by an
 * earlier run is given a new secret and enabled again, so that runs do not pile up webhooks.
 */
async function ensureWebhook(client: ApiClient, tenantId: string, url: string, secret: string) {
  const hooks = `/v1/tenants/${segment(tenantId)}/webhooks`;
  for await (const hook of allPages<{ id: string; url: string }>(client, hooks)) {
    if (hook.url === url) {
      await client.call('PATCH', `${hooks}/${segment(hook.id)}`, { secret, status: 'active' });
      return hook.id;
    }
  }
  try {
    const created = await client.call<{ id: string }>('POST', hooks, {
      url,
      secret,
      description: 'herald demo',
    });
    return created.id;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'URL_NOT_ALLOWED') {
      throw new CommandError(
        `${error.message}\nHerald does not deliver to this machine unless told to: start it with ` +
          'HERALD_ALLOW_NETWORKS=127.0.0.0/8 (npm start -- --allow-networks 127.0.0.0/8), then run the demo again.',
      );
    }
    throw error;
  }
}

async function waitForDeliveries(received: ReceivedDelivery[], count: number): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  while (received.length < count && Date.now() < deadline) await sleep(100);
}

/** Publishes `--events` events, or for `--duration`, at `--rate`; answers how many it published. */
async function publishStream(client: ApiClient, options: DemoOptions): Promise<number> {
  const events = new DemoEvents();
  const path = `/v1/tenants/${segment(options.tenant)}/events`;
  const stopAt = Date.now() + options.duration;
  let published = 0;
  while (options.events === undefined ? Date.now() < stopAt : published < options.events) {
    const next = events.next();
    const answer = await client.call<{ id: string }>('POST', path, next);
    published += 1;
    process.stdout.write(`Published ${next.event} ${answer.id}\n`);
    await sleep(1000 / options.rate);
  }
  return published;
}

async function demo(options: DemoOptions): Promise<number> {
  const client = new ApiClient(options.url, resolveApiKey(options.key, process.env));
  await ensureTenant(client, options.tenant);
  const secret = generateSecret();
  const received: ReceivedDelivery[] = [];
  let receiver: RunningReceiver | null = null;
  if (options.webhookUrl === undefined) {
    const colour = process.stdout.isTTY === true;
    receiver = await startReceiver({
      port: options.listenPort,
      host: '127.0.0.1',
      secret,
      status: 200,
      onDelivery: (delivery) => {
        received.push(delivery);
        process.stdout.write(deliveryAsText(delivery, colour));
      },
    });
  }
  try {
    const webhookUrl = options.webhookUrl ?? (receiver as RunningReceiver).url;
    const webhookId = await ensureWebhook(client, options.tenant, webhookUrl, secret);
    process.stdout.write(
      `Webhook ${webhookId} of ${options.tenant} delivers to ${webhookUrl} (secret ${secret}).\n`,
    );

    const published = await publishStream(client, options);
    process.stdout.write(`Published ${published} events to ${options.tenant}.\n`);
    if (receiver) {
      await waitForDeliveries(received, published);
      const verified = received.filter(
        (d) => d.signatures?.xWebhookSignature === 'valid' && d.signatures.webhookSignature === 'valid',
      ).length;
      process.stdout.write(
        `The demo's receiver got ${received.length}, ${verified} with both signatures valid.\n`,
      );
    }
    process.stdout.write(
      `See them in the console: ${options.url.replace(/\/+$/, '')}/ (sign in with the admin key, pick ${options.tenant}).\n`,
    );
  } finally {
    await receiver?.close();
  }
  return EXIT.ok;
}

export function addDemoCommand(program: Command, finish: (code: Promise<number>) => Promise<void>): void {
  withApiOptions(
    program
      .command('demo')
      .summary('Fill a running Herald with a minute of realistic events, delivered to this machine.')
      .description(
        'Fill a running Herald with a realistic stream of the six documented event types: creates the ' +
          'tenant, registers a webhook to a receiver the demo runs on this machine (or to --webhook-url) ' +
          'and publishes for a minute. Its own receiver needs Herald started with HERALD_ALLOW_NETWORKS=127.0.0.0/8.',
      )
      .option('--tenant <id>', 'the tenant to publish as (created if absent)', 'tenant_demo')
      .option('--webhook-url <url>', 'deliver to this receiver instead of one the demo runs')
      .option('--listen-port <port>', "port of the demo's own receiver", wholeNumber(0, 65535), 4000)
      .option('--events <n>', 'publish this many events, then stop', wholeNumber(1, 100_000))
      .addOption(
        new Option('--duration <time>', 'publish for this long (without --events)')
          .argParser(durationOption)
          .default(60_000, '1m'),
      )
      .option('--rate <n>', 'events a second', wholeNumber(1, 1000), 2),
  ).action((options: DemoOptions) => finish(demo(options)));
}
