import type { Clock } from '../core/clock.js';
import { unknownEventType } from '../core/errors.js';
import type { EventType } from '../core/types.js';
import type { EventTypeDirectory } from '../store/store.js';
import { SharedReads } from './shared-reads.js';

/** How long another process's change to the catalogue may take to be seen here. */
const REFRESH_MS = 5_000;

/**
 * The event-type catalogue, kept in memory: every publish checks its type, and the catalogue
 * changes rarely. Changes made through this process are seen at once; other processes' within
 * REFRESH_MS.
 */
export class EventCatalog {
  private names: Set<string> | null = null;
  private loadedAt = 0;
  private readonly refreshes = new SharedReads<EventType[]>();

  constructor(
    private readonly eventTypes: Pick<EventTypeDirectory, 'listEventTypes'>,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<EventType[]> {
    const types = await this.eventTypes.listEventTypes();
    this.names = new Set(types.map((type) => type.name));
    this.loadedAt = this.clock.now();
    return types;
  }

  /** The names that are not in the catalogue. */
  async unknownAmong(names: readonly string[]): Promise<Set<string>> {
    if (!this.names || this.clock.now() - this.loadedAt > REFRESH_MS) {
      await this.refreshes.read('catalog', () => this.list());
    }
    const missing = () => new Set(names.filter((name) => !this.names?.has(name)));
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

  invalidate(): void {
    this.names = null;
    this.refreshes.forget();
  }
}
