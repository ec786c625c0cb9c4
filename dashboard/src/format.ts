import type { ReportRow } from '../../lambda/domain/reports';

export type MetricName = 'visits' | 'clicks' | 'conversions' | 'revenue' | 'cost' | 'profit' | 'roi' | 'ctr' | 'cr' | 'epv' | 'epc' | 'cpv' | 'ap';
type MetricFormat = 'count' | 'money' | 'percent' | 'rate';

export interface MetricColumn {
  readonly name: MetricName & keyof ReportRow;
  readonly label: string;
  readonly title: string;
  readonly format: MetricFormat;
}

/** The report's metrics in the order media buyers read them. */
export const METRICS: readonly MetricColumn[] = [
  { name: 'visits', label: 'Visits', title: 'Visitors who reached the campaign URL', format: 'count' },
  { name: 'clicks', label: 'Clicks', title: 'Visitors who clicked through to an offer', format: 'count' },
  { name: 'conversions', label: 'Conversions', title: 'Conversions, rejected and charged back ones excluded', format: 'count' },
  { name: 'revenue', label: 'Revenue', title: 'Payouts of the conversions', format: 'money' },
  { name: 'cost', label: 'Cost', title: 'Cost passed by the traffic source', format: 'money' },
  { name: 'profit', label: 'Profit', title: 'Revenue minus cost', format: 'money' },
  { name: 'roi', label: 'ROI', title: 'Profit / cost', format: 'percent' },
  { name: 'ctr', label: 'CTR', title: 'Clicks / visits', format: 'percent' },
  { name: 'cr', label: 'CR', title: 'Conversions / clicks', format: 'percent' },
  { name: 'epv', label: 'EPV', title: 'Earnings per visit', format: 'rate' },
  { name: 'epc', label: 'EPC', title: 'Earnings per click', format: 'rate' },
  { name: 'cpv', label: 'CPV', title: 'Cost per visit', format: 'rate' },
  { name: 'ap', label: 'AP', title: 'Average payout per conversion', format: 'rate' },
];

const FORMATS: Record<MetricFormat, Intl.NumberFormat> = {
  count: new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }),
  money: new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 }),
  percent: new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  // The API rounds ratios to 4 decimals; show all of them, a CPV of 0.0035 matters.
  rate: new Intl.NumberFormat('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 }),
};

/** A metric as the page shows it; a ratio without a denominator is a dash, not 0. */
export function formatMetric(value: number | null | undefined, format: MetricFormat): string {
  if (value === null || value === undefined) return '—';
  return format === 'percent' ? `${FORMATS.percent.format(value)}%` : FORMATS[format].format(value);
}

const OFFSET = /^([+-])(\d{2}):00$/;

/** Today's date (YYYY-MM-DD) in a report time zone: UTC, a whole-hour offset or an IANA name. */
export function todayIn(tz: string, now: Date = new Date()): string {
  const offset = OFFSET.exec(tz);
  if (tz === 'UTC' || offset) {
    const hours = offset ? (offset[1] === '-' ? -1 : 1) * Number(offset[2]) : 0;
    return new Date(now.getTime() + hours * 3_600_000).toISOString().slice(0, 10);
  }
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * Every bucket of the chart, so a quiet day or hour is drawn as 0 rather than skipped: hours
 * (`YYYY-MM-DDTHH`, as the API's `hour` dimension) for a single day, else days.
 */
export function chartBuckets(from: string, to: string): { readonly dimension: 'hour' | 'day'; readonly buckets: readonly string[] } {
  if (from === to) return { dimension: 'hour', buckets: Array.from({ length: 24 }, (_, h) => `${from}T${String(h).padStart(2, '0')}`) };
  const buckets: string[] = [];
  for (let day = from; day <= to; day = addDays(day, 1)) buckets.push(day);
  return { dimension: 'day', buckets };
}

/** The time zones to offer: UTC, the browser's, whole-hour offsets, then every IANA name. */
export function timeZoneChoices(browserZone: string, ianaZones: readonly string[]): string[] {
  const offsets = Array.from({ length: 27 }, (_, i) => i - 12)
    .filter((hours) => hours !== 0)
    .map((hours) => `${hours < 0 ? '-' : '+'}${String(Math.abs(hours)).padStart(2, '0')}:00`);
  return [...new Set(['UTC', browserZone, ...offsets, ...ianaZones])];
}
