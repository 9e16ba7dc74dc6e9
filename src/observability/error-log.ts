import { HeraldError } from '../core/errors.js';
import type { Logger } from './logger.js';

export interface ErrorLogOptions {
  logger: Logger;
  /** Resolves once the database answers again (any cheap read). */
  probe: () => Promise<unknown>;
  /** How often the probe runs while the database is away. */
  probeIntervalMs: number;
}

function isDatabaseAway(error: unknown): boolean {
  return error instanceof HeraldError && error.code === 'SERVICE_UNAVAILABLE';
}

/**
 * Where the background loops (delivery workers, webhook health, background work, sender threads)
 * report their errors. While the database is away every poll fails the same way: the outage is one
 * line when it starts and one when the probe finds the database back, not a stack per poll. Any
 * other error is logged each time, with its stack.
 */
export class ErrorLog {
  private probing: NodeJS.Timeout | null = null;

  constructor(private readonly options: ErrorLogOptions) {}

  get databaseAway(): boolean {
    return this.probing !== null;
  }

  report(error: unknown, context: string): void {
    if (!isDatabaseAway(error)) {
      this.options.logger.error({ err: error }, context);
      return;
    }
    if (this.probing) return;
    const cause = (error as HeraldError).cause;
    this.options.logger.error(
      { context, cause: cause instanceof Error ? cause.message : undefined },
      'database unreachable: workers back off and retry until it answers',
    );
    this.probeSoon();
  }

  stop(): void {
    if (this.probing) clearTimeout(this.probing);
    this.probing = null;
  }

  /** One probe at a time: the next is scheduled only after the last has failed. */
  private probeSoon(): void {
    this.probing = setTimeout(() => void this.probe(), this.options.probeIntervalMs);
    this.probing.unref();
  }

  private async probe(): Promise<void> {
    try {
      await this.options.probe();
    } catch {
      if (this.probing) this.probeSoon();
      return;
    }
    if (!this.probing) return;
    this.probing = null;
    this.options.logger.info('database reachable again');
  }
}
