import { readFileSync } from 'node:fs';

/** The package version, read once: it names Herald in the User-Agent and in `herald --version`. */
export const HERALD_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export const USER_AGENT = `Herald/${HERALD_VERSION}`;
