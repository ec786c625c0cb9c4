import { ConfigError } from '../../lambda/domain/config';
import { StatsItem, buildReport, localHour, parseReportQuery, toCsv, utcDaysFor } from '../../lambda/domain/reports';
import { addDays, localDayHour } from '../../lambda/domain/time-zones';

const item = (hour: string, counters: Record<string, number>, dims: Partial<StatsItem> = {}): StatsItem => ({
  campaignId: 'camp',
  hour,
  offerId: 'o1',
  landerId: '',
  trafficSourceId: 'ts',
  country: 'US',
  device: 'mobile',
  ...dims,
  ...counters,
});

describe('parseReportQuery', () => {
  it('reads the range, zone, grouping, filters and conversion time', () => {
    expect(parseReportQuery({ from: '2026-11-01', to: '2026-11-07', tz: 'Europe/Berlin', groupBy: 'campaign,day', country: 'US,DE', conversionTime: 'postback' })).toEqual({
      from: '2026-11-01',
      to: '2026-11-07',
      tz: 'Europe/Berlin',
      groupBy: ['campaign', 'day'],
      filters: { country: ['US', 'DE'] },
      conversionTime: 'postback',
    });
    expect(parseReportQuery({}, new Date('2026-11-24T12:00:00Z'))).toMatchObject({ from: '2026-11-24', to: '2026-11-24', tz: 'UTC', groupBy: ['campaign'] });
  });

  it.each([
    [{ from: '24.11.2026' }, 'from must be a day'],
    [{ from: '2026-11-02', to: '2026-11-01' }, 'to must not be before from'],
    [{ tz: 'Mars/Olympus' }, 'tz must be'],
    [{ tz: '+05:30' }, 'tz must be'],
    [{ groupBy: 'campaign,color' }, 'not color'],
    [{ conversionTime: 'later' }, 'conversionTime'],
  ])('refuses %j naming the parameter', (params, message) => {
    expect(() => parseReportQuery(params)).toThrow(ConfigError);
    expect(() => parseReportQuery(params)).toThrow(message);
  });
});

describe('localHour and utcDaysFor', () => {
  it('moves UTC hours into whole-hour offsets and IANA zones, daylight saving included', () => {
    expect(localHour('2026-11-24T23', '+02:00')).toEqual({ day: '2026-11-25', hour: '01' });
    expect(localHour('2026-11-24T01', '-05:00')).toEqual({ day: '2026-11-23', hour: '20' });
    expect(localHour('2026-07-01T22', 'Europe/Berlin')).toEqual({ day: '2026-07-02', hour: '00' });
    expect(localHour('2026-01-01T22', 'Europe/Berlin')).toEqual({ day: '2026-01-01', hour: '23' });
  });

  it('scans a UTC day either side of the local range', () => {
    expect(utcDaysFor({ from: '2026-11-24', to: '2026-11-25' })).toEqual(['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26']);
  });
});

describe('buildReport', () => {
  const items = [
    item('2026-11-24T10', { visits: 100, clicks: 80, cost: 10, conversions: 4, revenue: 40, 'type:Sale': 4, 'conversions@postback': 1, 'revenue@postback': 10 }),
    item('2026-11-24T23', { visits: 50, clicks: 40, cost: 5, conversions: 1, revenue: 5, 'type:Lead': 1 }, { country: 'DE' }),
    item('2026-11-22T10', { visits: 999 }),
  ];

  it('sums by the grouping and computes ROI, CTR, CR, EPV, EPC, CPV and AP', () => {
    const [row] = buildReport(parseReportQuery({ from: '2026-11-24', to: '2026-11-24' }), items);
    expect(row).toEqual({
      campaign: 'camp',
      visits: 150,
      clicks: 120,
      conversions: 5,
      conversionsByType: { Sale: 4, Lead: 1 },
      revenue: 45,
      cost: 15,
      profit: 30,
      roi: 200,
      ctr: 80,
      cr: 4.1667,
      epv: 0.3,
      epc: 0.375,
      cpv: 0.1,
      ap: 9,
    });
  });

  it('buckets days in the requested time zone, filters, and counts conversions by postback time on request', () => {
    const byDay = buildReport(parseReportQuery({ from: '2026-11-24', to: '2026-11-25', tz: '+02:00', groupBy: 'day' }), items);
    expect(byDay.map((row) => [row.day, row.visits])).toEqual([
      ['2026-11-24', 100],
      ['2026-11-25', 50],
    ]);
    const germany = buildReport(parseReportQuery({ from: '2026-11-24', country: 'DE' }), items);
    expect(germany.map((row) => row.visits)).toEqual([50]);
    const byPostback = buildReport(parseReportQuery({ from: '2026-11-24', conversionTime: 'postback' }), items);
    expect(byPostback[0]).toMatchObject({ conversions: 1, revenue: 10, conversionsByType: {} });
  });

  it('writes CSV with a header, a column per conversion type and safe cells', () => {
    const query = parseReportQuery({ from: '2026-11-24', groupBy: 'country' });
    const csv = toCsv(query, buildReport(query, [...items, item('2026-11-24T11', { visits: 1 }, { country: '=HYPERLINK("x")' })]));
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('country,visits,clicks,conversions,revenue,cost,profit,roi,ctr,cr,epv,epc,cpv,ap,conversions:Lead,conversions:Sale');
    expect(lines[1]).toBe('US,100,80,4,40,10,30,300,80,5,0.4,0.5,0.1,10,0,4');
    expect(lines[3]).toBe(`"'=HYPERLINK(""x"")",1,0,0,0,0,0,,0,,0,,0,,0,0`);
  });
});

describe('report time zones', () => {
  const lateUtc = new Date('2026-03-01T22:30:00Z');

  it('put an instant on the local day of UTC, an offset or an IANA zone (the dashboard\'s "today")', () => {
    expect(localDayHour(lateUtc, 'UTC')).toEqual({ day: '2026-03-01', hour: '22' });
    expect(localDayHour(lateUtc, '+02:00').day).toBe('2026-03-02');
    expect(localDayHour(lateUtc, '-12:00').day).toBe('2026-03-01');
    expect(localDayHour(lateUtc, 'Asia/Tokyo')).toEqual({ day: '2026-03-02', hour: '07' });
    expect(localDayHour(lateUtc, 'America/New_York').day).toBe('2026-03-01');
  });

  it('count days across month and leap-year ends', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', -6)).toBe('2026-12-25');
  });
});
