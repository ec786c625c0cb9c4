import { ChangeRecord, foldChanges } from '../lambda/domain/aggregation';

export interface AggregationWrites {
  readonly batchSize: number;
  readonly clicks: number;
  readonly writes: number;
  readonly writesPerClick: number;
}

/** Small deterministic PRNG: the same traffic in every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A mix like a media buyer's: 3 campaigns (one with most of the traffic), 8 countries, 3 device
 * types, 2 offers, all within one hour, as a stream hands it to the aggregator.
 */
function traffic(count: number): ChangeRecord[] {
  const next = random(42);
  const pick = <T>(values: readonly T[], skew = 1) => values[Math.floor(next() ** skew * values.length)];
  return Array.from({ length: count }, (_, i) => ({
    table: 'clicks' as const,
    newImage: {
      clickId: `c${i}`,
      campaignId: pick(['main', 'test-a', 'test-b'], 2),
      clickedAt: '2026-11-24T10:30:00.000Z',
      offerId: pick(['offer-1', 'offer-2']),
      clickedThroughAt: '2026-11-24T10:30:00.000Z',
      country: pick(['US', 'DE', 'GB', 'FR', 'BR', 'IN', 'ID', 'MX'], 2),
      device: pick(['mobile', 'desktop', 'tablet'], 2),
      trafficSourceId: 'push',
    },
  }));
}

/** Counter writes the aggregator makes per click: one per distinct key per batch. */
export function measureAggregationWrites(batchSizes: readonly number[], clicks = 10_000): AggregationWrites[] {
  const records = traffic(clicks);
  return batchSizes.map((batchSize) => {
    let writes = 0;
    for (let i = 0; i < records.length; i += batchSize) writes += foldChanges(records.slice(i, i + batchSize)).length;
    return { batchSize, clicks, writes, writesPerClick: writes / clicks };
  });
}
