import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { SCHEMA_FILE, schemaSource } from '../scripts/schema-source.js';

it("the committed schema.d.ts is what the app's /openapi.json generates (else: npm run sdk:generate)", async () => {
  const committed = readFileSync(SCHEMA_FILE, 'utf8');
  assert.equal(committed, await schemaSource());
});
