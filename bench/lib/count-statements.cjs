/**
 * Preloaded into Herald's processes by the PostgreSQL scenarios (`node --require`), for the
 * capacity model: counts the statements the process sends through `pg` (calls of Client#query,
 * which Pool#query goes through too) and writes the running count to $BENCH_STATEMENTS_FILE every
 * 100 ms and at exit. pg_stat_statements would count them on the server, but it is not loaded here.
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
  const write = () => writeFileSync(file, String(statements));
  setInterval(write, 100).unref();
  process.on('exit', write);
}
