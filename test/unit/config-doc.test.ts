import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CONFIGURATION_DOC_PATH, renderConfigurationDoc } from '../../scripts/config-doc.js';
import { SETTINGS } from '../../src/config.js';

describe('docs/configuration.md', () => {
  it('is what npm run docs:config generates from src/config.ts (run it after changing a setting)', () => {
    assert.equal(readFileSync(CONFIGURATION_DOC_PATH, 'utf8'), renderConfigurationDoc());
  });

  it('has one table row per setting, naming its variable, flag and default', () => {
    const rows = renderConfigurationDoc()
      .split('\n')
      .filter((line) => line.startsWith('| `HERALD_'));
    assert.equal(rows.length, SETTINGS.length);
    for (const [index, setting] of SETTINGS.entries()) {
      const fallback = setting.default === '' ? 'none' : `\`${setting.default}\``;
      assert.ok(
        rows[index]?.startsWith(`| \`${setting.env}\` | \`--${setting.flag}\` | ${fallback} |`),
        rows[index],
      );
    }
  });

  it('escapes a | in a description so that it does not split the table row', () => {
    const doc = renderConfigurationDoc([{ env: 'HERALD_X', flag: 'x', default: 'a', help: 'one | two' }]);
    assert.match(doc, /^\| `HERALD_X` \| `--x` \| `a` \| one \\\| two\. \|$/m);
  });
});
