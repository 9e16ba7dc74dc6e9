import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { HeraldError } from '../core/errors.js';
import { MAX_DATA_DEPTH, nestsDeeperThan } from '../core/payload.js';
import type { EventType, JsonObject } from '../core/types.js';
import { describeSchemaError } from './validation.js';

/**
 * A validator of one event type's `data`. Each schema gets an Ajv of its own: the schemas are the
 * admins', a `$id` in one would collide with the same `$id` in another in a shared instance, and a
 * shared instance keeps every schema it ever compiled. Data is checked as published, with no
 * defaults filled in and no coercion: the bytes delivered are the bytes published.
 */
export function compileDataSchema(schema: JsonObject): ValidateFunction {
  const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: false, coerceTypes: false });
  addFormats.default(ajv);
  return ajv.compile(schema);
}

/**
 * Refuses a definition the catalogue could not keep its promises with: a schema Ajv cannot compile
 * (draft-07), an example its own schema refuses, enforcement without a schema. `where` names the
 * request body in the answer.
 */
export function requireUsableDefinition(type: EventType, where = 'body'): void {
  for (const [field, value] of [
    ['schema', type.schema],
    ['example', type.example],
  ] as const) {
    if (value !== null && nestsDeeperThan(value, MAX_DATA_DEPTH)) {
      throw new HeraldError(
        'VALIDATION_FAILED',
        `${where}.${field} is nested deeper than ${MAX_DATA_DEPTH} levels.`,
      );
    }
  }
  if (type.schema === null) {
    if (type.enforceSchema) {
      throw new HeraldError(
        'VALIDATION_FAILED',
        `${where}.enforceSchema needs a schema: give ${type.name} a schema to check publishes against.`,
      );
    }
    return;
  }
  let validate: ValidateFunction;
  try {
    validate = compileDataSchema(type.schema);
  } catch (error) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      `${where}.schema is not a JSON Schema (draft-07) Herald can use: ${(error as Error).message}.`,
    );
  }
  if (type.example !== null && !validate(type.example)) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      `${describeSchemaError(validate.errors, `${where}.example`)}: the example must match the schema.`,
    );
  }
}
