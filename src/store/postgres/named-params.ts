/** A statement written with `:name` parameters, renumbered for PostgreSQL as `$1`, `$2`, ... */
interface Numbered {
  text: string;
  names: string[];
}

/** A name after a colon that is not part of a `::` cast. */
const NAMED_PARAMETER = /(?<!:):([A-Za-z_]\w*)/g;

const numbered = new Map<string, Numbered>();

function numberParameters(text: string): Numbered {
  let statement = numbered.get(text);
  if (!statement) {
    const names: string[] = [];
    const renumbered = text.replace(NAMED_PARAMETER, (_match, name: string) => {
      let index = names.indexOf(name);
      if (index < 0) index = names.push(name) - 1;
      return `$${index + 1}`;
    });
    statement = { text: renumbered, names };
    numbered.set(text, statement);
  }
  return statement;
}

/**
 * The shared SQL (see store/history.ts) names its parameters as SQLite does; PostgreSQL numbers
 * them. A name used twice becomes one number. The statements are a fixed set, so the renumbering is
 * done once per text.
 */
export function toPositional(
  text: string,
  params: Record<string, unknown>,
): { text: string; values: unknown[] } {
  const statement = numberParameters(text);
  return { text: statement.text, values: statement.names.map((name) => params[name]) };
}
