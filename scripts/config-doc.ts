/**
 * Writes docs/configuration.md from the settings table in src/config.ts (`npm run docs:config`), so
 * the reference cannot say what Herald does not read; test/unit/config-doc.test.ts fails when the
 * committed file is not what this renders.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SETTINGS } from '../src/config.js';

export const CONFIGURATION_DOC_PATH = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

interface DocumentedSetting {
  env: string;
  flag: string;
  default: string;
  help: string;
  confidential?: boolean;
}

/** A table cell: a `|` would end the cell early. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

function row(setting: DocumentedSetting): string {
  const fallback = setting.default === '' ? 'none' : `\`${setting.default}\``;
  const note = setting.confidential ? ' Never repeated in error messages.' : '';
  return `| \`${setting.env}\` | \`--${setting.flag}\` | ${fallback} | ${cell(setting.help)}.${note} |`;
}

export function renderConfigurationDoc(settings: readonly DocumentedSetting[] = SETTINGS): string {
  return `<!-- Generated from src/config.ts by \`npm run docs:config\`: edit the settings there, not here. -->
# Configuration reference

Every setting is an environment variable or the matching flag of \`herald serve\`, \`herald worker\`,
\`herald migrate\` and \`herald rotate-key\`; a flag wins over the variable, and the variable over the
default. Herald reads them once, at start-up, and refuses to start (exit status 2, with a message
naming each problem) when a value is invalid or when it sees a \`HERALD_*\` variable it does not know.
\`herald --help\` prints the same list.

Durations are written as a number and a unit: \`500ms\`, \`10s\`, \`1m\`, \`1h\`, \`5d\`.
"none" means the setting is off or, for the keys, generated beside the SQLite database on first start.
With PostgreSQL, \`HERALD_ADMIN_KEY\` and \`HERALD_ENCRYPTION_KEY\` are required and must be the same in
every process (see [deploying.md](deploying.md)).

| Variable | Flag | Default | What it sets |
|---|---|---|---|
${settings.map(row).join('\n')}
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CONFIGURATION_DOC_PATH, renderConfigurationDoc());
  process.stdout.write(`wrote ${CONFIGURATION_DOC_PATH}\n`);
}
