import { METRICS, chartBuckets, formatMetric, timeZoneChoices } from '../../dashboard/src/format';
import { REPORT_METRICS } from '../../lambda/domain/reports';

describe('dashboard formatting', () => {
  it('shows counts whole, money with cents, percentages and per-unit rates at the API\'s precision', () => {
    expect(formatMetric(12345, 'count')).toBe('12,345');
    expect(formatMetric(37.02, 'money')).toBe('37.02');
    expect(formatMetric(0.12345, 'money')).toBe('0.1235');
    expect(formatMetric(-3, 'money')).toBe('-3.00');
    expect(formatMetric(1150, 'percent')).toBe('1,150.00%');
    expect(formatMetric(0.0035, 'rate')).toBe('0.0035');
  });

  it('has a column for every metric the API reports, in the API\'s order', () => {
    expect(METRICS.map((metric) => metric.name)).toEqual([...REPORT_METRICS]);
  });

  it('shows a ratio without a denominator as a dash, not as 0', () => {
    expect(formatMetric(null, 'percent')).toBe('—');
    expect(formatMetric(undefined, 'rate')).toBe('—');
    expect(formatMetric(0, 'percent')).toBe('0.00%');
  });
});

describe('report dates', () => {
  it('charts one day by the hour and a range by the day, every bucket present', () => {
    const day = chartBuckets('2026-03-01', '2026-03-01');
    expect(day.dimension).toBe('hour');
    expect(day.buckets).toHaveLength(24);
    expect([day.buckets[0], day.buckets[23]]).toEqual(['2026-03-01T00', '2026-03-01T23']);
    expect(chartBuckets('2026-02-27', '2026-03-02')).toEqual({ dimension: 'day', buckets: ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02'] });
  });

  it('offers UTC, the browser\'s zone, every whole-hour offset the API takes, then IANA names, once each', () => {
    const choices = timeZoneChoices('Europe/Berlin', ['Africa/Abidjan', 'Europe/Berlin', 'UTC']);
    expect(choices.slice(0, 2)).toEqual(['UTC', 'Europe/Berlin']);
    expect(choices).toContain('-12:00');
    expect(choices).toContain('+14:00');
    expect(choices).not.toContain('+00:00');
    expect(choices.filter((zone) => /^[+-]/.test(zone))).toHaveLength(26);
    expect(new Set(choices).size).toBe(choices.length);
  });
});
