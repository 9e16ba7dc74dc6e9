import type { EventType } from './types.js';

/*
 * The catalogue a new installation starts with, in the product documentation's order: its six types,
 * then the two Herald sends itself. Each schema describes the event's `data` (the envelope around it,
 * event/timestamp/tenantId, is Herald's) and each example is what a real event of the type looks like:
 * ingestion.completed's is the documentation's own Payload Format example.
 */

const durationMs = {
  type: 'integer',
  minimum: 0,
  description: 'How long it took, in milliseconds',
};

const ingestionJob = {
  jobId: { type: 'string', minLength: 1, description: 'The ingestion job' },
  table: { type: 'string', minLength: 1, description: 'The table the job loads' },
};

const kpi = {
  kpiId: { type: 'string', minLength: 1, description: 'The KPI' },
  name: { type: 'string', description: 'Its display name' },
  unit: { type: 'string', description: 'Unit of the values, e.g. USD or %' },
  period: { type: 'string', description: 'The period the value covers, e.g. 2025-01-15 or 2025-W03' },
};

function objectSchema(title: string, properties: Record<string, unknown>, required: readonly string[]) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title,
    type: 'object',
    properties,
    required: [...required],
  };
}

export const DOCUMENTED_EVENT_TYPES: readonly EventType[] = [
  {
    name: 'ingestion.completed',
    description: 'A data ingestion job finishes',
    schema: objectSchema(
      'ingestion.completed data',
      {
        ...ingestionJob,
        rowsIngested: { type: 'integer', minimum: 0, description: 'Rows loaded into the table' },
        duration: durationMs,
      },
      ['jobId', 'table', 'rowsIngested', 'duration'],
    ),
    example: { jobId: 'job_xyz', table: 'sales_data', rowsIngested: 15234, duration: 3200 },
    enforceSchema: false,
  },
  {
    name: 'ingestion.failed',
    description: 'A data ingestion job fails',
    schema: objectSchema(
      'ingestion.failed data',
      {
        ...ingestionJob,
        error: { type: 'string', description: 'Why the job failed' },
        rowsIngested: {
          type: 'integer',
          minimum: 0,
          description: 'Rows loaded before the failure (the job rolls them back)',
        },
        duration: durationMs,
      },
      ['jobId', 'table', 'error'],
    ),
    example: {
      jobId: 'job_8fk2',
      table: 'sales_data',
      error: 'Row 15235: column "amount" expects a number, got "n/a"',
      rowsIngested: 15234,
      duration: 2870,
    },
    enforceSchema: false,
  },
  {
    name: 'kpi.computed',
    description: 'A KPI value is computed',
    schema: objectSchema(
      'kpi.computed data',
      { ...kpi, value: { type: 'number', description: 'The computed value' } },
      ['kpiId', 'value', 'period'],
    ),
    example: {
      kpiId: 'kpi_revenue_daily',
      name: 'Daily revenue',
      value: 48210.5,
      unit: 'USD',
      period: '2025-01-15',
    },
    enforceSchema: false,
  },
  {
    name: 'kpi.alert',
    description: 'A KPI anomaly is detected',
    schema: objectSchema(
      'kpi.alert data',
      {
        ...kpi,
        value: { type: 'number', description: 'The value that raised the alert' },
        expected: { type: 'number', description: 'The value the model expected' },
        deviation: { type: 'number', description: 'value relative to expected: -0.56 is 56% below' },
        severity: { enum: ['info', 'warning', 'critical'] },
      },
      ['kpiId', 'value', 'expected', 'severity'],
    ),
    example: {
      kpiId: 'kpi_revenue_daily',
      name: 'Daily revenue',
      value: 21050,
      expected: 47800,
      deviation: -0.56,
      severity: 'critical',
      unit: 'USD',
      period: '2025-01-16',
    },
    enforceSchema: false,
  },
  {
    name: 'analysis.completed',
    description: 'An investigation finishes',
    schema: objectSchema(
      'analysis.completed data',
      {
        analysisId: { type: 'string', minLength: 1, description: 'The investigation' },
        title: { type: 'string', description: 'The question it investigated' },
        findings: { type: 'integer', minimum: 0, description: 'How many findings it reports' },
        duration: durationMs,
        url: { type: 'string', format: 'uri', description: 'Where people read the results' },
      },
      ['analysisId', 'findings'],
    ),
    example: {
      analysisId: 'an_42',
      title: 'Why did daily revenue drop on 2025-01-16?',
      findings: 3,
      duration: 84200,
      url: 'https://app.example.com/analyses/an_42',
    },
    enforceSchema: false,
  },
  {
    name: 'dashboard.ready',
    description: 'A dashboard build completes',
    schema: objectSchema(
      'dashboard.ready data',
      {
        dashboardId: { type: 'string', minLength: 1, description: 'The dashboard' },
        name: { type: 'string', description: 'Its display name' },
        widgets: { type: 'integer', minimum: 0, description: 'Widgets built' },
        duration: durationMs,
        url: { type: 'string', format: 'uri', description: 'Where people open it' },
      },
      ['dashboardId', 'url'],
    ),
    example: {
      dashboardId: 'dash_sales_q1',
      name: 'Sales Q1',
      widgets: 12,
      duration: 5400,
      url: 'https://app.example.com/dashboards/dash_sales_q1',
    },
    enforceSchema: false,
  },
];
