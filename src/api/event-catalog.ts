import type { ValidateFunction } from 'ajv';
import type { Clock } from '../core/clock.js';
import { HeraldError, unknownEventType } from '../core/errors.js';
import { isSubscribable } from '../core/event-catalog.js';
import type { EventType } from '../core/types.js';
import type { EventTypeDirectory } from '../store/store.js';
import { compileDataSchema } from './event-schemas.js';
import { SharedReads } from './shared-reads.js';
import { describeSchemaError } from './validation.js';

/** How long another process's change to the catalogue may take to be seen here. */
const REFRESH_MS = 5_000;

/**
 * The event-type catalogue, kept in memory: every publish checks its type (and, for a type that
 * enforces its schema, its data), and the catalogue changes rarely. Changes made through this
 * process are seen at once; other processes' within REFRESH_MS.
 */
export class EventCatalog {
  private types: Map<string, EventType> | null = null;
  private loadedAt = 0;
  /** Compiled schemas of the types that enforce theirs, by schema text: a reload compiles only what changed. */
  private validators = new Map<string, ValidateFunction>();
  /** Publishes that find the catalogue stale at once share one read of it. */
  private readonly refreshes = new SharedReads<EventType[]>();

  constructor(
    private readonly eventTypes: Pick<EventTypeDirectory, 'listEventTypes'>,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<EventType[]> {
    const types = await this.eventTypes.listEventTypes();
    this.types = new Map(types.map((type) => [type.name, type]));
    this.loadedAt = this.clock.now();
    this.keepValidatorsOf(types);
    return types;
  }

  /** The type, as the store has it now; null when it is not in the catalogue. */
  async find(name: string): Promise<EventType | null> {
    return (await this.list()).find((type) => type.name === name) ?? null;
  }

  /** The names that are not in the catalogue. */
  async unknownAmong(names: readonly string[]): Promise<Set<string>> {
    if (!this.types || this.clock.now() - this.loadedAt > REFRESH_MS) {
      await this.refreshes.read('catalog', () => this.list());
    }
    const missing = () => new Set(names.filter((name) => !this.types?.has(name)));
    if (missing().size === 0) return missing();
    // A miss may be a type another process added a moment ago: look once more before refusing.
    await this.list();
    return missing();
  }

  /** Throws UNKNOWN_EVENT_TYPE for the first name not in the catalogue. */
  async requireKnown(names: readonly string[]): Promise<void> {
    const [first] = await this.unknownAmong(names);
    if (first !== undefined) throw unknownEventType(first);
  }

  /** Throws as requireKnown does, and EVENT_TYPE_RESERVED for a type no webhook can subscribe to. */
  async requireSubscribable(names: readonly string[]): Promise<void> {
    const reserved = names.find((name) => !isSubscribable(name));
    if (reserved !== undefined) {
      throw new HeraldError(
        'EVENT_TYPE_RESERVED',
        `${reserved} goes only to the webhook the Test action tests, whatever its events; a webhook cannot subscribe to it.`,
      );
    }
    await this.requireKnown(names);
  }

  /**
   * Throws SCHEMA_MISMATCH, naming the first failing path under `where`, when `event` enforces its
   * schema and `data` does not match it. Call after requireKnown/unknownAmong, which load the catalogue.
   */
  requireValidData(event: string, data: unknown, where: string): void {
    const type = this.types?.get(event);
    if (!type?.enforceSchema || type.schema === null) return;
    const validate = this.validatorOf(type.schema);
    if (validate(data)) return;
    throw new HeraldError(
      'SCHEMA_MISMATCH',
      `${describeSchemaError(validate.errors, where)}: ${event} publishes must match its schema ` +
        `(GET /v1/event-types/${event}).`,
    );
  }

  /** The next check reads the store again (the last catalogue stays in use until then). */
  invalidate(): void {
    this.loadedAt = Number.NEGATIVE_INFINITY;
    this.refreshes.forget();
  }

  private validatorOf(schema: object): ValidateFunction {
    const text = JSON.stringify(schema);
    let validate = this.validators.get(text);
    if (!validate) {
      // Schemas are checked when stored; one that fails to compile here answers 500, for its type only.
      validate = compileDataSchema(schema as Record<string, unknown>);
      this.validators.set(text, validate);
    }
    return validate;
  }

  private keepValidatorsOf(types: readonly EventType[]): void {
    const inUse = new Set(
      types.flatMap((type) => (type.enforceSchema && type.schema ? [JSON.stringify(type.schema)] : [])),
    );
    for (const text of this.validators.keys()) if (!inUse.has(text)) this.validators.delete(text);
  }
}
