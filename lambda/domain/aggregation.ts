import { REVERSING_STATUSES, ConversionStatus } from './config';

/** A change of one click or conversion item, as a DynamoDB stream record carries it. */
export interface ChangeRecord {
  readonly table: 'clicks' | 'conversions';
  readonly oldImage?: Readonly<Record<string, unknown>>;
  readonly newImage?: Readonly<Record<string, unknown>>;
  /** The stream sequence number, zero-padded so that text order is number order. */
  readonly sequence?: string;
}

/** Stream sequence numbers are decimal strings of up to 40 digits. */
export function paddedSequence(sequenceNumber: string): string {
  return sequenceNumber.padStart(40, '0');
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

/** A key's share of a batch, record by record, so a retry can skip what it applied already. */
export interface KeyContributions {
  readonly key: CounterKey;
  readonly contributions: { readonly sequence: string; readonly counters: Counters }[];
}

/** Adds the counters of the contributions after `watermark` (all without one); undefined when there are none. */
export function sumAfter(contributions: KeyContributions['contributions'], watermark?: string): { counters: Counters; sequence: string } | undefined {
  const fresh = watermark === undefined ? contributions : contributions.filter((contribution) => contribution.sequence > watermark);
  if (fresh.length === 0) return undefined;
  const counters: Counters = {};
  for (const contribution of fresh) {
    for (const [name, value] of Object.entries(contribution.counters)) counters[name] = (counters[name] ?? 0) + value;
  }
  return { counters, sequence: fresh[fresh.length - 1].sequence };
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

/** What every encoded key of one campaign starts with: the campaign comes first. */
export function encodedCampaignPrefix(campaignId: string): string {
  return `${encodeURIComponent(campaignId)}|`;
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
 * What each change adds to which key, grouped by key. Conversions count by the difference
 * between their old and new version, so a status change (lead → sale → chargeback) moves
 * revenue without counting it twice.
 */
export function contributionsByKey(records: readonly ChangeRecord[]): KeyContributions[] {
  const byKey = new Map<string, KeyContributions>();
  for (const record of records) {
    const sequence = record.sequence ?? '';
    for (const { key, counters } of changeCounters(record)) {
      const entries = Object.entries(counters).filter(([, value]) => value !== 0);
      if (entries.length === 0 || !key.campaignId || !key.hour) continue;
      const encoded = encodeKey(key);
      const group = byKey.get(encoded) ?? { key, contributions: [] };
      group.contributions.push({ sequence, counters: Object.fromEntries(entries) });
      byKey.set(encoded, group);
    }
  }
  return [...byKey.values()];
}

function changeCounters({ table, oldImage, newImage }: ChangeRecord): Aggregate[] {
  if (!newImage) return []; // TTL expiry and deletions do not change what happened
  if (table === 'clicks') {
    // A lander visit counts under no offer (it has none yet), its click-through under the offer.
    const counters: Counters = oldImage ? {} : { visits: 1, cost: Number(newImage.cost ?? 0) };
    if (newImage.clickedThroughAt && !oldImage?.clickedThroughAt) counters.clicks = 1;
    return [{ key: keyOf(newImage, hourOf(newImage.clickedAt)), counters }];
  }
  const delta = difference(conversionContribution(newImage), conversionContribution(oldImage));
  return [
    { key: keyOf(newImage, hourOf(newImage.clickedAt)), counters: delta },
    {
      key: keyOf(newImage, hourOf(newImage.convertedAt)),
      counters: Object.fromEntries(Object.entries(delta).map(([name, value]) => [`${name}@postback`, value])),
    },
  ];
}

/** One aggregate per key: each key is written once per batch however many changes it holds. */
export function foldChanges(records: readonly ChangeRecord[]): Aggregate[] {
  return contributionsByKey(records).map(({ key, contributions }) => ({ key, counters: sumAfter(contributions)!.counters }));
}
