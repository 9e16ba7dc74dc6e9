import type { EventType } from './types.js';

export const TEST_EVENT_TYPE = 'webhook.test';

/** Published to a tenant's webhooks when Herald disables one of the others (410 Gone, failing too long). */
export const WEBHOOK_DISABLED_EVENT_TYPE = 'webhook.disabled';
export const WEBHOOK_DISABLED_DESCRIPTION =
  'Herald disabled one of your webhooks (410 Gone, or failing too long)';

/**
 * Event types only Herald sends, with who sends them: published through the API they would reach
 * every subscriber as if Herald had sent them (a Test to real subscribers, a forged disable notice).
 */
export const SENT_BY_HERALD: ReadonlyMap<string, string> = new Map([
  [TEST_EVENT_TYPE, 'the Test action (POST .../webhooks/:id/test), to one webhook'],
  [WEBHOOK_DISABLED_EVENT_TYPE, "Herald itself, when it disables one of the tenant's webhooks"],
]);

/** The catalogue a new installation starts with: the product documentation's six types and the test event. */
export const DEFAULT_EVENT_TYPES: readonly EventType[] = [
  { name: 'ingestion.completed', description: 'A data ingestion job finishes' },
  { name: 'ingestion.failed', description: 'A data ingestion job fails' },
  { name: 'kpi.computed', description: 'A KPI value is computed' },
  { name: 'kpi.alert', description: 'A KPI anomaly is detected' },
  { name: 'analysis.completed', description: 'An investigation finishes' },
  { name: 'dashboard.ready', description: 'A dashboard build completes' },
  { name: TEST_EVENT_TYPE, description: 'Sent by the Test action to verify connectivity' },
  { name: WEBHOOK_DISABLED_EVENT_TYPE, description: WEBHOOK_DISABLED_DESCRIPTION },
];

export const EVENT_TYPE_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*$';
