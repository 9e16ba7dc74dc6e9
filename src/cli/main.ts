#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { HeraldError } from '../core/errors.js';
import { HERALD_VERSION } from '../version.js';
import { addDemoCommand } from './demo-command.js';
import { addDlqCommand } from './dlq-command.js';
import { CommandError, EXIT, UsageError } from './exit-codes.js';
import { addListenCommand } from './listen-command.js';
import { addPublishCommand } from './publish-command.js';
import { addServerCommands } from './server-commands.js';

const AFTER_HELP = `
Each setting of serve, worker, migrate and rotate-key is also read from its environment variable
(a flag wins): herald serve --help lists them.

Every /v1 API call needs "Authorization: Bearer <key>". On first start without HERALD_ADMIN_KEY,
Herald generates an admin key, prints it once and keeps it beside the SQLite database; likewise
the key that encrypts webhook secrets, without HERALD_ENCRYPTION_KEY (required with PostgreSQL).
SIGTERM or SIGINT stops accepting requests, lets deliveries in flight finish, and exits.

Exit codes: 0 done; 1 the operation failed (Herald unreachable, a request refused, a failed
migration); 2 the command line or a setting is wrong (nothing was done).
`;

async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const finish = async (result: Promise<number>) => {
    exitCode = await result;
  };
  const program = new Command('herald')
    .description(`Herald ${HERALD_VERSION}: self-hosted webhook delivery.`)
    .version(HERALD_VERSION, '-v, --version')
    .exitOverride()
    .showHelpAfterError('(herald --help, or herald <command> --help, lists the options)')
    .addHelpText('after', AFTER_HELP);
  addServerCommands(program, finish);
  addListenCommand(program, finish);
  addPublishCommand(program, finish);
  addDemoCommand(program, finish);
  addDlqCommand(program, finish);
  await program.parseAsync(argv, { from: 'user' });
  return exitCode;
}

function exitCodeOf(error: unknown): number {
  // Commander has printed its own message (or the help) by the time it throws.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`herald: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof CommandError || error instanceof HeraldError) {
    process.stderr.write(`herald: ${error.message}\n`);
    return EXIT.failure;
  }
  process.stderr.write(
    `herald: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return EXIT.failure;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => process.exit(exitCodeOf(error)),
);
