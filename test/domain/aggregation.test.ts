import { contributionsByKey, foldChanges, paddedSequence, sumAfter } from '../../lambda/domain/aggregation';

const click = (id: string, extra: Record<string, unknown> = {}) => ({
  clickId: id,
  campaignId: 'camp',
  clickedAt: '2026-11-24T10:15:00.000Z',
  country: 'US',
  device: 'mobile',
  trafficSourceId: 'ts',
  ...extra,
});
const conversion = (extra: Record<string, unknown> = {}) => ({
  ...click('c1', { offerId: 'o1' }),
  conversionKey: '#status#t',
  convertedAt: '2026-11-25T08:00:00.000Z',
  payout: 10,
  eventName: 'Sale',
  status: 'approved',
  ...extra,
});

describe('foldChanges', () => {
  it('writes one aggregate per key however many clicks the batch holds', () => {
    const records = Array.from({ length: 50 }, (_, i) => ({ table: 'clicks' as const, newImage: click(`c${i}`, { offerId: 'o1', clickedThroughAt: 'x', cost: 0.01 }) }));
    const aggregates = foldChanges(records);
    expect(aggregates).toHaveLength(1);
    expect(aggregates[0].key).toEqual({ campaignId: 'camp', hour: '2026-11-24T10', offerId: 'o1', landerId: '', trafficSourceId: 'ts', country: 'US', device: 'mobile' });
    expect(aggregates[0].counters.visits).toBe(50);
    expect(aggregates[0].counters.clicks).toBe(50);
    expect(aggregates[0].counters.cost).toBeCloseTo(0.5);
  });

  it('counts a lander visit as a visit, and its click-through as a click under the offer', () => {
    const visit = click('c1', { landerId: 'l1' });
    const through = { ...visit, offerId: 'o2', clickedThroughAt: '2026-11-24T10:16:00.000Z' };
    const aggregates = foldChanges([
      { table: 'clicks', newImage: visit },
      { table: 'clicks', oldImage: visit, newImage: through },
      { table: 'clicks', oldImage: through, newImage: { ...through, offerId: 'o1' } },
    ]);
    expect(aggregates.map((a) => [a.key.offerId, a.counters])).toEqual([
      ['', { visits: 1 }],
      ['o2', { clicks: 1 }],
    ]);
  });

  it('counts a conversion under its click hour and its postback hour, and moves revenue on status changes', () => {
    const lead = conversion({ status: 'pending', eventName: 'Lead', payout: 1 });
    const sale = conversion();
    const chargeback = conversion({ status: 'chargeback', eventName: 'Chargeback', payout: 0 });
    const sum = (records: Parameters<typeof foldChanges>[0]) => {
      const total: Record<string, number> = {};
      for (const aggregate of foldChanges(records)) for (const [name, value] of Object.entries(aggregate.counters)) total[`${aggregate.key.hour} ${name}`] = (total[`${aggregate.key.hour} ${name}`] ?? 0) + value;
      return total;
    };
    expect(sum([{ table: 'conversions', newImage: lead }, { table: 'conversions', oldImage: lead, newImage: sale }])).toEqual({
      '2026-11-24T10 conversions': 1,
      '2026-11-24T10 revenue': 10,
      '2026-11-24T10 type:Sale': 1,
      '2026-11-24T10 type:Lead': 0,
      '2026-11-25T08 conversions@postback': 1,
      '2026-11-25T08 revenue@postback': 10,
      '2026-11-25T08 type:Sale@postback': 1,
      '2026-11-25T08 type:Lead@postback': 0,
    });
    expect(sum([{ table: 'conversions', oldImage: sale, newImage: chargeback }])).toMatchObject({
      '2026-11-24T10 conversions': -1,
      '2026-11-24T10 revenue': -10,
    });
  });

  it('ignores deletions (TTL) and changes that change nothing counted', () => {
    const sent = conversion();
    expect(foldChanges([{ table: 'clicks', oldImage: click('c1') }, { table: 'conversions', oldImage: sent, newImage: { ...sent, sourcePostback: { status: 'sent' } } }])).toEqual([]);
  });
});

describe('contributionsByKey and sumAfter', () => {
  it('skip what a key already applied, so a replayed batch (or a longer one) counts each change once', () => {
    const records = ['01', '02', '03'].map((sequence, i) => ({ table: 'clicks' as const, newImage: click(`c${i}`), sequence }));
    const [group] = contributionsByKey(records);
    expect(sumAfter(group.contributions)).toEqual({ counters: { visits: 3 }, sequence: '03' });
    expect(sumAfter(group.contributions, '02')).toEqual({ counters: { visits: 1 }, sequence: '03' });
    expect(sumAfter(group.contributions, '03')).toBeUndefined();
  });

  it('pads sequence numbers so that text order is number order', () => {
    expect(paddedSequence('99') < paddedSequence('100')).toBe(true);
    expect(paddedSequence('111100000000001234567890')).toHaveLength(40);
  });
});
