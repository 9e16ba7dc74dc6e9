import type { Command } from 'commander';
import { startHerald } from '../app.js';
import { loadConfig } from '../config.js';
import { requireSealingKeys, resolveSecretBox } from '../encryption-keys.js';
import { openStore } from '../store/open-store.js';
import { resealAll } from '../store/secrets.js';
import { HERALD_VERSION } from '../version.js';
import { EXIT } from './exit-codes.js';
import { settingFlags, withSettings } from './settings-options.js';

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function migrate(options: Record<string, unknown>, rotateKey: boolean): Promise<number> {
  const config = loadConfig(process.env, settingFlags(options));
  const secrets = resolveSecretBox(config, say);
  const store = await openStore(config.database, { poolSize: 1, secrets });
  try {
    await store.migrate();
    await requireSealingKeys(store, secrets);
    say(`Database ${config.database} is up to date.`);
    if (rotateKey) {
      const sealed = await resealAll(store, secrets.currentPrefix);
      say(
        `Encrypted ${sealed} webhook secret(s) again: all are now under key ${secrets.currentKeyId}, ` +
          'and HERALD_ENCRYPTION_KEY_PREVIOUS can go.',
      );
    }
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

/** Runs until SIGTERM or SIGINT, then lets deliveries in flight finish. */
async function run(options: Record<string, unknown>, roles: { api: boolean; workers: boolean }) {
  const herald = await startHerald({ config: loadConfig(process.env, settingFlags(options)), ...roles });
  const running = [herald.url && 'API', herald.dispatcher && 'delivery workers']
    .filter(Boolean)
    .join(' and ');
  say(
    `Herald ${HERALD_VERSION}: ${running} on ${herald.config.database}${herald.url ? `, listening on ${herald.url}` : ''}`,
  );
  return new Promise<number>((resolveExit) => {
    const shutdown = (signal: string) => {
      say(`${signal}: finishing deliveries in flight, then exiting.`);
      herald.stop().then(
        () => resolveExit(EXIT.ok),
        (error: unknown) => {
          process.stderr.write(`shutdown failed: ${String(error)}\n`);
          resolveExit(EXIT.failure);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

/** serve, worker, migrate and rotate-key: the commands that run Herald itself on its database. */
export function addServerCommands(program: Command, finish: (code: Promise<number>) => Promise<void>): void {
  withSettings(
    program
      .command('serve')
      .description('Run the API, the web console and delivery workers in one process (what npm start runs).')
      .option('--no-workers', 'run the API alone (scale workers separately with herald worker)'),
  ).action((options) => finish(run(options, { api: true, workers: options.workers !== false })));

  withSettings(
    program
      .command('worker')
      .description('Run delivery workers only: they claim due deliveries from the database.'),
  ).action((options) => finish(run(options, { api: false, workers: true })));

  withSettings(
    program
      .command('migrate')
      .description('Bring the database schema up to date and exit (serve and worker do it too).'),
  ).action((options) => finish(migrate(options, false)));

  withSettings(
    program
      .command('rotate-key')
      .summary('Encrypt every webhook secret again under HERALD_ENCRYPTION_KEY.')
      .description(
        'Encrypt every webhook secret again under HERALD_ENCRYPTION_KEY, in small batches while Herald ' +
          'runs; the old key must be in HERALD_ENCRYPTION_KEY_PREVIOUS (of every process) until it is done.',
      ),
  ).action((options) => finish(migrate(options, true)));
}
