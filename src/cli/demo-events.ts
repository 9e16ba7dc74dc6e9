/** One event `herald demo` publishes. */
export interface DemoEvent {
  event: string;
  data: Record<string, unknown>;
}

const TABLES = ['sales_data', 'web_sessions', 'crm_contacts', 'inventory_levels', 'support_tickets'];
const FAILURES = [
  'schema mismatch: column "region" missing in source file',
  'source connection timed out after 30s',
  'permission denied for bucket s3://acme-exports',
];
const KPIS = [
  { kpiId: 'kpi_revenue_daily', name: 'Daily revenue', unit: 'USD', typical: 48_000 },
  { kpiId: 'kpi_conversion', name: 'Checkout conversion', unit: '%', typical: 3.2 },
  { kpiId: 'kpi_churn', name: 'Monthly churn', unit: '%', typical: 1.8 },
  { kpiId: 'kpi_tickets_open', name: 'Open support tickets', unit: 'tickets', typical: 140 },
];
const INVESTIGATIONS = [
  'Why did checkout conversion drop on mobile?',
  'Revenue by region, quarter over quarter',
  'Which accounts are most likely to churn?',
];
const DASHBOARDS = ['Executive overview', 'Sales pipeline', 'Support health', 'Marketing funnel'];

/** The six event types of the product documentation, in the order a stream visits them. */
export const DEMO_EVENT_TYPES = [
  'ingestion.completed',
  'kpi.computed',
  'kpi.alert',
  'ingestion.failed',
  'analysis.completed',
  'dashboard.ready',
] as const;

type DemoEventType = (typeof DEMO_EVENT_TYPES)[number];

/** A stream of plausible events: every type in each run of six, the data made up afresh. */
export class DemoEvents {
  private count = 0;

  constructor(private readonly random: () => number = Math.random) {}

  next(): DemoEvent {
    const event = DEMO_EVENT_TYPES[this.count % DEMO_EVENT_TYPES.length] as DemoEventType;
    this.count += 1;
    return { event, data: this.dataFor(event) };
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }

  private between(min: number, max: number): number {
    return Math.round(min + this.random() * (max - min));
  }

  private id(prefix: string): string {
    return `${prefix}_${Math.floor(this.random() * 36 ** 6)
      .toString(36)
      .padStart(6, '0')}`;
  }

  private dataFor(event: DemoEventType): Record<string, unknown> {
    const kpi = this.pick(KPIS);
    switch (event) {
      case 'ingestion.completed':
        return {
          jobId: this.id('job'),
          table: this.pick(TABLES),
          rowsIngested: this.between(1_000, 250_000),
          duration: this.between(800, 45_000),
        };
      case 'ingestion.failed':
        return {
          jobId: this.id('job'),
          table: this.pick(TABLES),
          error: this.pick(FAILURES),
          rowsIngested: 0,
          duration: this.between(200, 30_000),
        };
      case 'kpi.computed':
        return {
          kpiId: kpi.kpiId,
          name: kpi.name,
          value: Number((kpi.typical * (0.9 + this.random() * 0.2)).toFixed(2)),
          unit: kpi.unit,
          period: new Date().toISOString().slice(0, 10),
        };
      case 'kpi.alert': {
        const deviation = Number((25 + this.random() * 40).toFixed(1));
        return {
          kpiId: kpi.kpiId,
          name: kpi.name,
          value: Number((kpi.typical * (1 - deviation / 100)).toFixed(2)),
          expected: kpi.typical,
          unit: kpi.unit,
          deviationPercent: -deviation,
          severity: deviation > 50 ? 'critical' : 'warning',
        };
      }
      case 'analysis.completed':
        return {
          analysisId: this.id('inv'),
          title: this.pick(INVESTIGATIONS),
          findings: this.between(2, 9),
          duration: this.between(5_000, 120_000),
        };
      case 'dashboard.ready':
        return {
          dashboardId: this.id('dash'),
          name: this.pick(DASHBOARDS),
          widgets: this.between(4, 16),
          refreshedAt: new Date().toISOString(),
        };
    }
  }
}
