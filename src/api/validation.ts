import { Ajv, type Options as AjvOptions, type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { HeraldError } from '../core/errors.js';
import { EVENT_TYPE_NAME_PATTERN } from '../core/event-catalog.js';
import { NO_NUL_PATTERN } from './schemas/shapes.js';
import { ACCENT_COLOR_PATTERN, LOGO_URL_PATTERN, TENANT_ID_PATTERN } from './schemas/tenants.js';

function ajvFor(options: AjvOptions): Ajv {
  const ajv = new Ajv({ allErrors: false, useDefaults: true, strict: false, ...options });
  addFormats.default(ajv);
  return ajv;
}

/** Bodies are validated as sent: no coercion, unknown fields refused. */
export const bodyAjv = ajvFor({ coerceTypes: false, removeAdditional: false });
/** Query strings and path parameters arrive as text and are coerced to their declared types. */
export const textAjv = ajvFor({ coerceTypes: true, removeAdditional: false });

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a list (a JSON array)',
  null: 'null',
};

const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date and time such as 2026-01-31T09:30:00Z',
  uri: 'a full URL such as https://example.com/hooks',
};

/** Patterns the schemas use, in words; any other is quoted. */
const PATTERN_WORDS: Record<string, string> = {
  [TENANT_ID_PATTERN]: 'must be 1 to 64 letters, digits, "_" or "-"',
  [EVENT_TYPE_NAME_PATTERN]:
    'must be lower-case words of letters, digits, "_" or "-" joined by dots, such as ingestion.completed',
  [ACCENT_COLOR_PATTERN]: 'must be a colour written #rrggbb, such as #0f5bd8',
  [LOGO_URL_PATTERN]: 'must be an https:// URL or a data:image/…;base64, URL',
};

function plural(count: number, one: string): string {
  return `${count} ${one}${count === 1 ? '' : 's'}`;
}

/** `body/events/0/name` → `body.events[0].name`: the path as a JavaScript reader writes it. */
function pathOf(dataVar: string, instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), dataVar);
}

function quoted(values: readonly unknown[]): string {
  const words = values.map((value) => JSON.stringify(value));
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

/** What is wrong, after the path: "must be at least 8 characters long". */
function problemOf(error: ErrorObject, siblings: readonly ErrorObject[]): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type': {
      const types = siblings.filter((e) => e.keyword === 'type').map((e) => String(e.params.type));
      return `must be ${[...new Set(types.flatMap((t) => t.split(',')))].map((t) => TYPE_WORDS[t] ?? t).join(' or ')}`;
    }
    case 'const':
    case 'enum': {
      const allowed = siblings.flatMap((e) =>
        e.keyword === 'const' ? [e.params.allowedValue] : e.keyword === 'enum' ? e.params.allowedValues : [],
      );
      return `must be ${quoted([...new Set(allowed)])}`;
    }
    case 'minLength':
      return params.limit === 1
        ? 'must not be empty'
        : `must be at least ${plural(Number(params.limit), 'character')} long`;
    case 'maxLength':
      return `must be at most ${plural(Number(params.limit), 'character')} long`;
    case 'minimum':
      return `must be ${params.limit} or more`;
    case 'maximum':
      return `must be ${params.limit} or less`;
    case 'exclusiveMinimum':
      return `must be more than ${params.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${params.limit}`;
    case 'minItems':
      return `must list at least ${plural(Number(params.limit), 'item')}`;
    case 'maxItems':
      return `must list at most ${plural(Number(params.limit), 'item')}`;
    case 'uniqueItems': {
      const [at, again] = [Number(params.i), Number(params.j)].sort((a, b) => a - b);
      return `lists the same item twice (at ${at} and ${again})`;
    }
    case 'minProperties':
      return 'must set at least one field';
    case 'required':
      return `is missing the field "${params.missingProperty}"`;
    case 'additionalProperties':
      return `has an unknown field "${params.additionalProperty}"`;
    case 'format':
      return `must be ${FORMAT_WORDS[String(params.format)] ?? `in ${params.format} format`}`;
    case 'pattern':
      if (params.pattern === NO_NUL_PATTERN) return 'must not contain NUL (\\u0000) characters';
      return PATTERN_WORDS[String(params.pattern)] ?? `must match the pattern ${params.pattern}`;
    default:
      return error.message ?? 'is invalid';
  }
}

/**
 * One sentence for the first problem, worded for people as much as programs:
 * `body.secret must be at least 8 characters long`, `body.status must be "active" or "disabled"`.
 * A union's branches each report; the words gather those at the first problem's path.
 */
export function describeSchemaError(
  errors: readonly ErrorObject[] | null | undefined,
  dataVar: string,
): string {
  const first = errors?.[0];
  if (!first) return `${dataVar} is invalid`;
  const siblings = (errors ?? []).filter((error) => error.instancePath === first.instancePath);
  return `${pathOf(dataVar, first.instancePath)} ${problemOf(first, siblings)}`;
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
