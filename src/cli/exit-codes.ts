/** What `herald` exits with, so that scripts can tell a wrong command line from a failed operation. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The command line cannot be carried out as written (a missing key, bad JSON in --data): exit 2. */
export class UsageError extends Error {}

/** The operation was tried and failed (Herald unreachable, or it refused the request): exit 1. */
export class CommandError extends Error {}
