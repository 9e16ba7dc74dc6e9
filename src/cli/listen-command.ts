import type { Command } from 'commander';
import { wholeNumber } from './arguments.js';
import { deliveryAsJson, deliveryAsText } from './delivery-format.js';
import { EXIT } from './exit-codes.js';
import { startReceiver } from './receiver.js';

interface ListenOptions {
  port: number;
  host: string;
  secret?: string;
  status: number;
  json?: boolean;
}

/** Receives deliveries until SIGINT or SIGTERM. */
async function listen(options: ListenOptions): Promise<number> {
  const colour = process.stdout.isTTY === true && !options.json;
  const receiver = await startReceiver({
    port: options.port,
    host: options.host,
    secret: options.secret ?? null,
    status: options.status,
    onDelivery: (delivery) =>
      process.stdout.write(options.json ? `${deliveryAsJson(delivery)}\n` : deliveryAsText(delivery, colour)),
  });
  // With --json, stdout carries deliveries only, so the banner goes to stderr.
  (options.json ? process.stderr : process.stdout).write(
    `Listening on ${receiver.url}, answering ${options.status}` +
      `${options.secret ? ', checking both signatures' : ' (give --secret to check signatures)'}. Ctrl-C stops.\n`,
  );
  await new Promise((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await receiver.close();
  return EXIT.ok;
}

export function addListenCommand(program: Command, finish: (code: Promise<number>) => Promise<void>): void {
  program
    .command('listen')
    .summary('Receive webhooks on this machine and print each delivery, signatures checked.')
    .description(
      'Receive webhooks on this machine and print each delivery, its signatures checked against --secret ' +
        '(X-Webhook-Signature and Standard Webhooks). Register http://127.0.0.1:<port>/ as a webhook; ' +
        'Herald then needs HERALD_ALLOW_NETWORKS=127.0.0.0/8.',
    )
    .option('--port <port>', 'port to listen on (0: any free one)', wholeNumber(0, 65535), 4000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--secret <secret>', "the webhook's secret, to verify each delivery's signatures")
    .option(
      '--status <code>',
      'status to answer with (500: simulate a failing receiver)',
      wholeNumber(200, 599),
      200,
    )
    .option('--json', 'print one JSON line per delivery')
    .action((options: ListenOptions) => finish(listen(options)));
}
