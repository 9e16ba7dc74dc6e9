/**
 * `npm run lint:openapi`: lints, with Redocly and redocly.yaml, the OpenAPI document a Herald built
 * here serves. The document is asked for with inject(), so no request crosses the network; the
 * SQLite database lives in a temporary directory removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHerald } from '../src/app.js';

const REDOCLY = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');

async function dumpDocument(dir: string): Promise<string> {
  const herald = await startHerald({
    config: { database: join(dir, 'herald.db'), host: '127.0.0.1', port: 0, logLevel: 'silent' },
    workers: false,
    announce: () => {},
  });
  try {
    const answer = await herald.server?.inject({ method: 'GET', url: '/openapi.json' });
    if (answer?.statusCode !== 200) throw new Error(`GET /openapi.json answered ${answer?.statusCode}`);
    const file = join(dir, 'openapi.json');
    writeFileSync(file, answer.body);
    return file;
  } finally {
    await herald.stop();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'herald-openapi-'));
try {
  const file = await dumpDocument(dir);
  const lint = spawnSync(process.execPath, [REDOCLY, 'lint', file, '--config', 'redocly.yaml'], {
    stdio: 'inherit',
    // Nothing leaves the machine: no usage report, no check for a newer version.
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  process.exitCode = lint.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
