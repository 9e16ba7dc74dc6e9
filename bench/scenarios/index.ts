/** Every scenario, in the order a benchmark runs them and the report lists them. */
import { backlog } from './backlog.js';
import { bullmq } from './bullmq.js';
import { ceiling } from './ceiling.js';
import { fanout } from './fanout.js';
import { hostile } from './hostile.js';
import { isolation } from './isolation.js';
import { latency } from './latency.js';
import { postgres } from './postgres.js';
import { postgresBacklog } from './postgres-backlog.js';
import { graphileWorker, pgBoss } from './postgres-peers.js';
import { relay } from './relay.js';
import { relayPostgres } from './relay-postgres.js';
import { retention } from './retention.js';
import type { Scenario } from './scenario.js';
import { throughputBatch, throughputSingle } from './throughput.js';

export const SCENARIOS: Scenario[] = [
  ceiling,
  throughputSingle,
  relay,
  throughputBatch,
  latency,
  fanout,
  isolation,
  hostile,
  backlog,
  retention,
  postgres,
  relayPostgres,
  postgresBacklog,
  graphileWorker,
  pgBoss,
  bullmq,
];
