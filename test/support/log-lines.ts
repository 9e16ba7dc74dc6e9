import { createLogger, type Logger } from '../../src/observability/logger.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

/** A logger whose JSON lines are kept, parsed, for tests to read. */
export function capturedLogger(level = 'info'): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = createLogger(level, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** pino's numbers for the levels tests look at. */
export const LOG_LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;
