#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startHerald } from '../app.js';
import { ConfigError, loadConfig, SETTINGS } from '../config.js';
import { HeraldError } from '../core/errors.js';
import { requireSealingKeys, resolveSecretBox } from '../encryption-keys.js';
import { openStore } from '../store/open-store.js';
import { resealAll } from '../store/secrets.js';
import { HERALD_VERSION } from '../version.js';

const SETTING_HELP = SETTINGS.map(
  (s) => `  --${s.flag.padEnd(22)}${s.env.padEnd(28)}${s.help}${s.default ? ` (default ${s.default})` : ''}`,
).join('\n');

const HELP = `Herald ${HERALD_VERSION}: self-hosted webhook delivery.

Usage:
  herald serve [options]     Run the API, the web console and delivery workers in one process.
                             --no-workers runs the API alone (scale workers separately).
  herald worker [options]    Run delivery workers only: they claim due deliveries from the database.
  herald migrate [options]   Bring the database schema up to date and exit (serve and worker do it too).
  herald rotate-key [options]
                             Encrypt every webhook secret again under HERALD_ENCRYPTION_KEY, in small
                             batches while Herald runs; the old key must be in
                             HERALD_ENCRYPTION_KEY_PREVIOUS (of every process) until it is done.
  herald --help | --version

Options (each also read from its environment variable; a flag wins):
${SETTING_HELP}

Every /v1 API call needs "Authorization: Bearer <key>". On first start without HERALD_ADMIN_KEY,
Herald generates an admin key, prints it once and keeps it beside the SQLite database; likewise
the key that encrypts webhook secrets, without HERALD_ENCRYPTION_KEY (required with PostgreSQL).
SIGTERM or SIGINT stops accepting requests, lets deliveries in flight finish, and exits.
`;

function parse(argv: string[]) {
  const options = Object.fromEntries(SETTINGS.map((s) => [s.flag, { type: 'string' as const }]));
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      ...options,
      'no-workers': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  const [command, ...extra] = positionals;
  if (values.version) {
    process.stdout.write(`${HERALD_VERSION}\n`);
    return 0;
  }
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? 1 : 0;
  }
  if (extra.length > 0) throw new ConfigError([`unexpected argument "${extra[0]}"`]);
  const given = values as Record<string, string | boolean | undefined>;
  const flags = Object.fromEntries(SETTINGS.map((s) => [s.flag, given[s.flag] as string | undefined]));

  if (command === 'migrate' || command === 'rotate-key') {
    const config = loadConfig(process.env, flags);
    const say = (line: string) => process.stdout.write(`${line}\n`);
    const secrets = resolveSecretBox(config, say);
    const store = await openStore(config.database, { poolSize: 1, secrets });
    try {
      await store.migrate();
      await requireSealingKeys(store, secrets);
      say(`Database ${config.database} is up to date.`);
      if (command === 'rotate-key') {
        const sealed = await resealAll(store, secrets.currentPrefix);
        say(
          `Encrypted ${sealed} webhook secret(s) again: all are now under key ${secrets.currentKeyId}, ` +
            'and HERALD_ENCRYPTION_KEY_PREVIOUS can go.',
        );
      }
    } finally {
      await store.close();
    }
    return 0;
  }
  if (command !== 'serve' && command !== 'worker') {
    throw new ConfigError([`unknown command "${command}"; run herald --help`]);
  }
  if (command === 'worker' && values['no-workers']) {
    throw new ConfigError(['--no-workers makes no sense for "herald worker"']);
  }

  const herald = await startHerald({
    config: loadConfig(process.env, flags),
    api: command === 'serve',
    workers: command === 'worker' || !values['no-workers'],
  });
  const roles = [herald.url && 'API', herald.dispatcher && 'delivery workers'].filter(Boolean).join(' and ');
  process.stdout.write(
    `Herald ${HERALD_VERSION}: ${roles} on ${herald.config.database}${herald.url ? `, listening on ${herald.url}` : ''}\n`,
  );

  return new Promise((resolveExit) => {
    const shutdown = (signal: string) => {
      process.stdout.write(`${signal}: finishing deliveries in flight, then exiting.\n`);
      herald.stop().then(
        () => resolveExit(0),
        (error: unknown) => {
          process.stderr.write(`shutdown failed: ${String(error)}\n`);
          resolveExit(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof HeraldError) {
      process.stderr.write(`herald: ${error.message}\n`);
    } else if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`herald: ${error.message}\nRun herald --help for the options.\n`);
    } else {
      process.stderr.write(
        `herald: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
    process.exit(2);
  },
);
