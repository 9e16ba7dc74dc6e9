import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * Herald's one logger, at HERALD_LOG_LEVEL: JSON lines on stdout for log collectors, readable
 * lines when stdout is a terminal. Tests pass a destination to read what was logged.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { pid: process.pid } };
  if (destination) return pino(options, destination);
  if (process.stdout.isTTY) return pino(options, pretty({ colorize: true, ignore: 'pid' }));
  return pino(options);
}
