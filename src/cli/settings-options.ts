import { type Command, Option } from 'commander';
import { SETTINGS } from '../config.js';

function settingOption(flag: string): Option {
  return new Option(`--${flag} <value>`);
}

/**
 * Gives a command one flag per setting of src/config.ts, without defaults: loadConfig applies the
 * environment and the defaults, so a flag left out must stay undefined.
 */
export function withSettings(command: Command): Command {
  for (const s of SETTINGS) {
    const option = settingOption(s.flag);
    option.description = `${s.env}: ${s.help}${s.default ? ` (default ${s.default})` : ''}`;
    command.addOption(option);
  }
  return command;
}

/** The settings given as flags, keyed by flag name as loadConfig reads them. */
export function settingFlags(options: Record<string, unknown>): Record<string, string | undefined> {
  return Object.fromEntries(
    SETTINGS.map((s) => [s.flag, options[settingOption(s.flag).attributeName()] as string | undefined]),
  );
}
