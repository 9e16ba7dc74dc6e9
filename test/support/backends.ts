const BACKENDS = ['sqlite', 'postgres'] as const;

export type TestBackend = (typeof BACKENDS)[number];

/**
 * The store backends the suites run on: HERALD_TEST_BACKENDS, a comma list of `sqlite` and
 * `postgres` (any case); unset or blank means both. A name that is neither stops the run, rather
 * than silently testing less than was asked for.
 */
export const TEST_BACKENDS: readonly TestBackend[] = selectedBackends(process.env.HERALD_TEST_BACKENDS);

function selectedBackends(setting: string | undefined): readonly TestBackend[] {
  const names = (setting ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (names.length === 0) return BACKENDS;
  const unknown = names.filter((name) => !(BACKENDS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `HERALD_TEST_BACKENDS=${setting}: ${unknown.join(', ')} is not one of ${BACKENDS.join(', ')}`,
    );
  }
  return BACKENDS.filter((backend) => names.includes(backend));
}
