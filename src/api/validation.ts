import { Ajv, type Options as AjvOptions, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { HeraldError } from '../core/errors.js';
import { NO_NUL_PATTERN } from './schemas.js';

function ajvFor(options: AjvOptions): Ajv {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

/** Bodies are validated as sent: no coercion, unknown fields refused. */
export const bodyAjv = ajvFor({ coerceTypes: false, removeAdditional: false });
/** Query strings and path parameters arrive as text and are coerced to their declared types. */
export const textAjv = ajvFor({ coerceTypes: true, removeAdditional: false });

/** One sentence for the first problem: `body.url must be string`, `body has an unknown field "x"`. */
export function describeSchemaError(
  errors: readonly ErrorObject[] | null | undefined,
  dataVar: string,
): string {
  const first = errors?.[0];
  const where = `${dataVar}${first?.instancePath ?? ''}`.replace(/\//g, '.');
  if (first?.keyword === 'pattern' && first.params.pattern === NO_NUL_PATTERN) {
    return `${where} must not contain NUL (\\u0000) characters`;
  }
  if (first?.keyword === 'additionalProperties') {
    return `${where} has an unknown field "${first.params.additionalProperty}"`;
  }
  return `${where} ${first?.message ?? 'is invalid'}`;
}

/**
 * Path parameters and query values reach store lookups (the tenant check runs before any schema):
 * NUL stops here, as the schemas stop it in bodies, so both backends answer alike.
 */
export function refuseNulText(part: 'path' | 'querystring', values: unknown): void {
  for (const [name, value] of Object.entries(values ?? {})) {
    if ([value].flat().some((text) => typeof text === 'string' && text.includes('\0'))) {
      throw new HeraldError('INVALID_REQUEST', `${part}.${name} must not contain NUL (\\u0000) characters.`);
    }
  }
}
