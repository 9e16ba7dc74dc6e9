/** How much each scenario does: QUICK for `--quick`, FULL otherwise; `--size key=value` overrides one. */
export interface Sizes {
  ceilingRequests: number;
  singleEvents: number;
  batchEvents: number;
  latencySeconds: number;
  fanoutWebhooks: number;
  isolationWebhooks: number;
  isolationEvents: number;
  /** The hostile scenario's window of 50 events/s (latency, missing events). */
  hostileSeconds: number;
  /** The hostile scenario's closed-loop throughput windows (beside tenant A, and alone). */
  hostileThroughputSeconds: number;
  backlogDeliveries: number;
  /** The retention scenario's events per simulated hour. */
  retentionEventsPerHour: number;
  postgresEvents: number;
  /** Events published to PostgreSQL deliverers with no worker running, then drained. */
  postgresBacklog: number;
  peerEvents: number;
}

export const QUICK: Sizes = {
  ceilingRequests: 20_000,
  singleEvents: 5_000,
  batchEvents: 10_000,
  latencySeconds: 5,
  fanoutWebhooks: 1_000,
  isolationWebhooks: 100,
  isolationEvents: 50,
  hostileSeconds: 5,
  hostileThroughputSeconds: 3,
  backlogDeliveries: 20_000,
  retentionEventsPerHour: 1_000,
  postgresEvents: 2_000,
  postgresBacklog: 2_000,
  peerEvents: 5_000,
};

export const FULL: Sizes = {
  ceilingRequests: 200_000,
  singleEvents: 100_000,
  batchEvents: 100_000,
  latencySeconds: 30,
  fanoutWebhooks: 1_000,
  isolationWebhooks: 100,
  isolationEvents: 500,
  hostileSeconds: 20,
  hostileThroughputSeconds: 8,
  backlogDeliveries: 1_000_000,
  retentionEventsPerHour: 10_000,
  postgresEvents: 30_000,
  postgresBacklog: 20_000,
  peerEvents: 50_000,
};
