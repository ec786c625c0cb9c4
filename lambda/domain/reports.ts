import { ConfigError } from './config';
import { CounterKey } from './aggregation';
import { addDays, daysBetween, isValidTimeZone, localDayHour } from './time-zones';

/** A counter item as the aggregator writes it: its key's dimensions and its counters. */
export type StatsItem = CounterKey & Readonly<Record<string, unknown>>;

export const DIMENSIONS = ['campaign', 'offer', 'lander', 'trafficSource', 'country', 'device', 'day', 'hour'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
const FILTERS = ['campaign', 'offer', 'lander', 'trafficSource', 'country', 'device'] as const;
type Filter = (typeof FILTERS)[number];

const ITEM_FIELD: Record<Filter, keyof CounterKey> = {
  campaign: 'campaignId',
  offer: 'offerId',
  lander: 'landerId',
  trafficSource: 'trafficSourceId',
  country: 'country',
  device: 'device',
};

export interface ReportQuery {
  /** Local days, inclusive, YYYY-MM-DD. */
  readonly from: string;
  readonly to: string;
  /** `UTC`, a whole-hour offset (`+02:00`) or an IANA zone (`Europe/Berlin`). */
  readonly tz: string;
  readonly groupBy: readonly Dimension[];
  readonly filters: Readonly<Partial<Record<Filter, readonly string[]>>>;
  /** Count conversions in the hour of their click (default) or of their postback. */
  readonly conversionTime: 'click' | 'postback';
}

export interface ReportRow {
  readonly [dimension: string]: unknown;
  readonly visits: number;
  readonly clicks: number;
  readonly conversions: number;
  readonly conversionsByType: Readonly<Record<string, number>>;
  readonly revenue: number;
  readonly cost: number;
  readonly profit: number;
  /** Percent; null without cost. */
  readonly roi: number | null;
  readonly ctr: number | null;
  readonly cr: number | null;
  readonly epv: number | null;
  readonly epc: number | null;
  readonly cpv: number | null;
  readonly ap: number | null;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 366;

/** @throws ConfigError naming the parameter that is wrong */
export function parseReportQuery(params: Readonly<Record<string, string | undefined>>, today: Date = new Date()): ReportQuery {
  const from = params.from ?? today.toISOString().slice(0, 10);
  const to = params.to ?? from;
  if (!DAY.test(from) || Number.isNaN(Date.parse(from))) throw new ConfigError('from must be a day, YYYY-MM-DD');
  if (!DAY.test(to) || Number.isNaN(Date.parse(to))) throw new ConfigError('to must be a day, YYYY-MM-DD');
  if (to < from) throw new ConfigError('to must not be before from');
  if (daysBetween(from, to) >= MAX_DAYS) throw new ConfigError(`from and to must be at most ${MAX_DAYS} days apart`);
  const tz = params.tz ?? 'UTC';
  if (!isValidTimeZone(tz)) throw new ConfigError('tz must be UTC, a whole-hour offset such as +02:00, or an IANA time zone');
  const groupBy = (params.groupBy ?? 'campaign').split(',').map((value) => value.trim()).filter(Boolean);
  const unknown = groupBy.filter((dimension) => !(DIMENSIONS as readonly string[]).includes(dimension));
  if (unknown.length > 0) throw new ConfigError(`groupBy accepts ${DIMENSIONS.join(', ')}; not ${unknown.join(', ')}`);
  const conversionTime = params.conversionTime ?? 'click';
  if (conversionTime !== 'click' && conversionTime !== 'postback') throw new ConfigError("conversionTime must be 'click' or 'postback'");
  const filters: Partial<Record<Filter, string[]>> = {};
  for (const filter of FILTERS) {
    const value = params[filter];
    if (value) filters[filter] = value.split(',').map((part) => part.trim());
  }
  return { from, to, tz, groupBy: groupBy as Dimension[], filters, conversionTime };
}

/** The local day and hour (`YYYY-MM-DD`, `HH`) of a UTC hour bucket (`YYYY-MM-DDTHH`). */
export function localHour(utcHour: string, tz: string): { day: string; hour: string } {
  return localDayHour(new Date(`${utcHour}:00:00Z`), tz);
}

/** The UTC days whose hour buckets can fall into the local range (a day either side covers any zone). */
export function utcDaysFor(query: Pick<ReportQuery, 'from' | 'to'>): string[] {
  const days: string[] = [];
  for (let day = addDays(query.from, -1); day <= addDays(query.to, 1); day = addDays(day, 1)) days.push(day);
  return days;
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const ratio = (numerator: number, denominator: number, scale = 1) => (denominator > 0 ? round((numerator / denominator) * scale, 4) : null);

/** Groups the counters by the query's dimensions and computes the media buyer's metrics. */
export function buildReport(query: ReportQuery, items: readonly StatsItem[]): ReportRow[] {
  const suffix = query.conversionTime === 'postback' ? '@postback' : '';
  const groups = new Map<string, { dimensions: Record<string, string>; totals: Record<string, number> }>();
  for (const item of items) {
    if (Object.entries(query.filters).some(([filter, values]) => !values!.includes(String(item[ITEM_FIELD[filter as Filter]] ?? '')))) continue;
    const { day, hour } = localHour(item.hour, query.tz);
    if (day < query.from || day > query.to) continue;
    const dimensions = Object.fromEntries(
      query.groupBy.map((dimension) => [dimension, dimension === 'day' ? day : dimension === 'hour' ? `${day}T${hour}` : String(item[ITEM_FIELD[dimension]] ?? '')]),
    );
    const groupKey = JSON.stringify(dimensions);
    const group = groups.get(groupKey) ?? { dimensions, totals: {} };
    for (const [name, value] of Object.entries(item)) {
      if (typeof value === 'number' && !name.startsWith('w:')) group.totals[name] = (group.totals[name] ?? 0) + value;
    }
    groups.set(groupKey, group);
  }
  const rows = [...groups.values()].map(({ dimensions, totals }) => {
    const visits = totals.visits ?? 0;
    const clicks = totals.clicks ?? 0;
    const conversions = totals[`conversions${suffix}`] ?? 0;
    const revenue = round(totals[`revenue${suffix}`] ?? 0, 6);
    const cost = round(totals.cost ?? 0, 6);
    const conversionsByType = Object.fromEntries(
      Object.entries(totals)
        .filter(([name, value]) => name.startsWith('type:') && name.endsWith(suffix) && (suffix || !name.includes('@')) && value !== 0)
        .map(([name, value]) => [name.slice(5, name.length - suffix.length), value]),
    );
    return {
      ...dimensions,
      visits,
      clicks,
      conversions,
      conversionsByType,
      revenue,
      cost,
      profit: round(revenue - cost, 6),
      roi: ratio(revenue - cost, cost, 100),
      ctr: ratio(clicks, visits, 100),
      cr: ratio(conversions, clicks, 100),
      epv: ratio(revenue, visits),
      epc: ratio(revenue, clicks),
      cpv: ratio(cost, visits),
      ap: ratio(revenue, conversions),
    };
  });
  return rows.sort((a, b) => b.visits - a.visits || JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** Every metric of a row, in the order of the CSV columns. */
export const REPORT_METRICS = ['visits', 'clicks', 'conversions', 'revenue', 'cost', 'profit', 'roi', 'ctr', 'cr', 'epv', 'epc', 'cpv', 'ap'] as const;
export type ReportMetric = (typeof REPORT_METRICS)[number];

function csvCell(value: unknown): string {
  const text = value === null || value === undefined ? '' : String(value);
  // Leading = + - @ would make a spreadsheet evaluate the cell.
  const safe = /^[=+\-@]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(query: ReportQuery, rows: readonly ReportRow[]): string {
  const types = [...new Set(rows.flatMap((row) => Object.keys(row.conversionsByType)))].sort();
  const header = [...query.groupBy, ...REPORT_METRICS, ...types.map((type) => `conversions:${type}`)];
  const lines = rows.map((row) => [...query.groupBy.map((d) => row[d]), ...REPORT_METRICS.map((m) => row[m]), ...types.map((t) => row.conversionsByType[t] ?? 0)].map(csvCell).join(','));
  return [header.map(csvCell).join(','), ...lines].join('\r\n') + '\r\n';
}
