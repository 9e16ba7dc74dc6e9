import { type Static, type StringOptions, type TSchema, Type } from '@sinclair/typebox';

/**
 * The API's shapes, once: routes validate with them and /openapi.json is generated from them. This
 * file holds the pieces every resource's schemas (beside it) are built from.
 */

/**
 * Text Herald stores. PostgreSQL text cannot hold NUL, so neither backend is given one: both refuse
 * it alike, at validation. `describeSchemaError` words this pattern's failure.
 */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';
export const Text = (options: StringOptions = {}) => Type.String({ pattern: NO_NUL_PATTERN, ...options });

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC' });

/**
 * `schema` or null, in OpenAPI 3.0's own words (`nullable`). Not `anyOf [schema, null]`: a union
 * makes the response serialiser validate each value to pick a branch, and compile that validator
 * (the route's whole schema, ~150 ms of the event loop) on the route's first answer.
 */
export const Nullable = <T extends TSchema>(schema: T) => {
  const { $id: _named, ...inline } = schema;
  return Type.Unsafe<Static<T> | null>({ ...inline, nullable: true });
};

/** One of a few strings: an `enum`, not a union of literals, for the reason `Nullable` gives. */
export const OneOfStrings = <const T extends readonly string[]>(values: T, options: StringOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });

export const Count = Type.Integer({ minimum: 0 });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable UPPER_SNAKE_CASE code' }),
      message: Type.String({ description: 'What went wrong and what to do about it' }),
    }),
  },
  { $id: 'Error' },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });
}

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item) });
}

export const TenantParams = Type.Object({ tenantId: Type.String() });
export const TenantItemParams = Type.Object({ tenantId: Type.String(), id: Type.String() });
