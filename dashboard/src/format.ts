import type { Dimension, ReportMetric } from '../../lambda/domain/reports';
import { addDays } from '../../lambda/domain/time-zones';
import type { NamedCollection } from './api';

type MetricFormat = 'count' | 'money' | 'percent' | 'rate';

export interface MetricColumn {
  readonly name: ReportMetric;
  readonly label: string;
  readonly title: string;
  readonly format: MetricFormat;
}

/** Every metric the API reports (a new one does not compile until it has a column), in the API's order. */
const COLUMNS: Record<ReportMetric, Omit<MetricColumn, 'name'>> = {
  visits: { label: 'Visits', title: 'Visitors who reached the campaign URL', format: 'count' },
  clicks: { label: 'Clicks', title: 'Visitors who clicked through to an offer', format: 'count' },
  conversions: { label: 'Conversions', title: 'Conversions, rejected and charged back ones excluded', format: 'count' },
  revenue: { label: 'Revenue', title: 'Payouts of the conversions', format: 'money' },
  cost: { label: 'Cost', title: 'Cost passed by the traffic source', format: 'money' },
  profit: { label: 'Profit', title: 'Revenue minus cost', format: 'money' },
  roi: { label: 'ROI', title: 'Profit / cost', format: 'percent' },
  ctr: { label: 'CTR', title: 'Clicks / visits', format: 'percent' },
  cr: { label: 'CR', title: 'Conversions / clicks', format: 'percent' },
  epv: { label: 'EPV', title: 'Earnings per visit', format: 'rate' },
  epc: { label: 'EPC', title: 'Earnings per click', format: 'rate' },
  cpv: { label: 'CPV', title: 'Cost per visit', format: 'rate' },
  ap: { label: 'AP', title: 'Average payout per conversion', format: 'rate' },
};

export const METRICS: readonly MetricColumn[] = Object.entries(COLUMNS).map(([name, column]) => ({ name: name as ReportMetric, ...column }));

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

export interface Grouping {
  readonly label: string;
  /** The management API collection that names its values. */
  readonly collection?: NamedCollection;
}

/** What the report table can be grouped by: every dimension the API groups by. */
export const GROUPINGS: Readonly<Record<Dimension, Grouping>> = {
  campaign: { label: 'Campaign', collection: 'campaigns' },
  offer: { label: 'Offer', collection: 'offers' },
  lander: { label: 'Lander', collection: 'landers' },
  trafficSource: { label: 'Traffic source', collection: 'traffic-sources' },
  country: { label: 'Country' },
  device: { label: 'Device' },
  day: { label: 'Day' },
  hour: { label: 'Hour' },
};
