import { REVERSING_STATUSES, ConversionStatus } from './config';

/** A change of one click or conversion item, as a DynamoDB stream record carries it. */
export interface ChangeRecord {
  readonly table: 'clicks' | 'conversions';
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
}

/** The dimensions reports group by; hour is UTC (`2026-11-24T19`), so any whole-hour time zone can regroup it. */
export interface CounterKey {
  readonly campaignId: string;
  readonly hour: string;
  readonly offerId: string;
  readonly landerId: string;
  readonly trafficSourceId: string;
  readonly country: string;
  readonly device: string;
}

/**
 * Sparse counters. Conversions and revenue are kept twice: under the hour of the click (the
 * default report) and under the hour of the postback; `types` counts conversions per event name.
 */
export type Counters = Record<string, number>;

export interface Aggregate {
  readonly key: CounterKey;
  readonly counters: Counters;
}

type Item = Readonly<Record<string, unknown>>;

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const hourOf = (iso: unknown) => text(iso).slice(0, 13);

function keyOf(item: Item, hour: string): CounterKey {
  return {
    campaignId: text(item.campaignId),
    hour,
    offerId: text(item.offerId),
    landerId: text(item.landerId),
    trafficSourceId: text(item.trafficSourceId),
    country: text(item.country),
    device: text(item.device),
  };
}

export function encodeKey(key: CounterKey): string {
  return [key.campaignId, key.hour, key.offerId, key.landerId, key.trafficSourceId, key.country, key.device].map(encodeURIComponent).join('|');
}

/** What one version of a conversion adds to the reports: nothing once it is reversed. */
function conversionContribution(item: Item | undefined): Counters {
  if (!item || REVERSING_STATUSES.has(item.status as ConversionStatus)) return {};
  const payout = Number(item.payout ?? 0);
  return { conversions: 1, revenue: payout, [`type:${text(item.eventName) || 'conversion'}`]: 1 };
}

function difference(after: Counters, before: Counters): Counters {
  const result: Counters = { ...after };
  for (const [name, value] of Object.entries(before)) result[name] = (result[name] ?? 0) - value;
  return result;
}

/**
 * Folds a batch of changes into one aggregate per key, so each key is written once per batch
 * however many clicks it holds. Conversions count by the difference between their old and new
 * version, so a status change (lead → sale → chargeback) moves revenue without counting it twice.
 */
export function foldChanges(records: readonly ChangeRecord[]): Aggregate[] {
  const aggregates = new Map<string, Aggregate>();
  const add = (key: CounterKey, counters: Counters) => {
    const entries = Object.entries(counters).filter(([, value]) => value !== 0);
    if (entries.length === 0 || !key.campaignId || !key.hour) return;
    const encoded = encodeKey(key);
    const aggregate = aggregates.get(encoded) ?? { key, counters: {} };
    for (const [name, value] of entries) aggregate.counters[name] = (aggregate.counters[name] ?? 0) + value;
    aggregates.set(encoded, aggregate);
  };

  for (const { table, oldImage, newImage } of records) {
    if (!newImage) continue; // TTL expiry and deletions do not change what happened
    if (table === 'clicks') {
      const at = hourOf(newImage.clickedAt);
      if (!oldImage) add(keyOf(newImage, at), { visits: 1, cost: Number(newImage.cost ?? 0) });
      if (newImage.clickedThroughAt && !oldImage?.clickedThroughAt) add(keyOf(newImage, at), { clicks: 1 });
      continue;
    }
    const delta = difference(conversionContribution(newImage), conversionContribution(oldImage));
    add(keyOf(newImage, hourOf(newImage.clickedAt)), delta);
    add(
      keyOf(newImage, hourOf(newImage.convertedAt)),
      Object.fromEntries(Object.entries(delta).map(([name, value]) => [`${name}@postback`, value])),
    );
  }
  return [...aggregates.values()];
}
