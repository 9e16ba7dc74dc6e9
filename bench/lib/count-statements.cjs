/**
 * Preloaded into Herald's processes by the PostgreSQL scenarios (`node --require`), for the
 * capacity model: counts the statements the process sends through `pg` (calls of Client#query,
 * which Pool#query goes through too) and writes the running count to $BENCH_STATEMENTS_FILE every
 * 500 ms while it changes, and at exit (written every 100 ms, it showed as ~5 % of a busy worker's
 * main thread in a CPU profile). pg_stat_statements would count them on the server, but it is not
 * loaded here.
 * Plain CommonJS so that it needs no loader: it patches the copy of `pg` that Herald's CLI
 * ($BENCH_STATEMENTS_CLI) resolves.
 */
const { writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');

const file = process.env.BENCH_STATEMENTS_FILE;
if (file) {
  const pg = createRequire(process.env.BENCH_STATEMENTS_CLI)('pg');
  const query = pg.Client.prototype.query;
  let statements = 0;
  pg.Client.prototype.query = function countedQuery(...args) {
    statements += 1;
    return query.apply(this, args);
  };
  let written = -1;
  const write = () => {
    if (statements === written) return;
    written = statements;
    writeFileSync(file, String(statements));
  };
  setInterval(write, 500).unref();
  process.on('exit', write);
}
