import { validateCampaign, validateLander, validateNetwork, validateOffer } from '../../lambda/domain/config';
import type { LocalTracker } from '../../local/runtime';
import { rawTotals, reportedTotals } from '../../soak/soak';
import { scanTable, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;

beforeAll(async () => {
  tracker = await startTestTracker();
  const put = tracker.store.putConfig.bind(tracker.store);
  await put({
    entityType: 'network',
    value: validateNetwork({
      id: 'net',
      name: 'Net',
      eventTypes: { lead: { name: 'Lead', status: 'pending' }, sale: { name: 'Sale', status: 'approved' }, chargeback: { name: 'Chargeback', status: 'chargeback' } },
    }),
  });
  await put({ entityType: 'offer', value: validateOffer({ id: 'o1', name: 'O1', url: 'https://o1.example/?c={clickid}', networkId: 'net', payout: 4 }) });
  await put({ entityType: 'lander', value: validateLander({ id: 'l1', name: 'L1', url: 'https://l1.example/?c={clickid}' }) });
  await put({ entityType: 'campaign', value: validateCampaign({ id: 'lander-camp', name: 'Lander', defaultPath: { landers: [{ id: 'l1' }], offers: [{ id: 'o1' }] } }) });
});
afterAll(() => tracker.close());

async function visit(campaign: string, country: string): Promise<string> {
  const response = await fetch(`${tracker.url}/c/${campaign}?cost=0.01`, { redirect: 'manual', headers: { 'cloudfront-viewer-country': country } });
  const location = new URL(response.headers.get('location')!);
  return location.searchParams.get('sub1') ?? location.searchParams.get('c')!;
}

const postback = (query: string) => fetch(`${tracker.url}/postback?${query}`).then((response) => response.json());

describe('report counters', () => {
  it('equal a recount of the raw clicks and conversions after a scripted run, through GET /api/reports', async () => {
    const direct = await Promise.all(Array.from({ length: 30 }, (_, i) => visit('demo', i % 3 ? 'US' : 'DE')));
    const landed = await Promise.all(Array.from({ length: 20 }, () => visit('lander-camp', 'BR')));
    for (const cid of landed.slice(0, 12)) await fetch(`${tracker.url}/click?cid=${cid}`, { redirect: 'manual' });

    for (const [i, cid] of direct.slice(0, 10).entries()) {
      await postback(`cid=${cid}&txid=t${i}&payout=2.5`);
      await postback(`cid=${cid}&txid=t${i}&payout=2.5`); // duplicate
    }
    await postback(`cid=${direct[0]}&txid=upsell&payout=1`);
    for (const cid of landed.slice(0, 4)) {
      await postback(`cid=${cid}&txid=order&et=lead&payout=1`);
      await postback(`cid=${cid}&txid=order&et=sale&payout=20`);
    }
    await postback(`cid=${landed[0]}&txid=order&et=chargeback`);
    await tracker.settle();

    const raw = await rawTotals(tracker);
    expect(raw).toEqual({ visits: 50, clicks: 42, conversions: 14, revenue: 86 });
    expect(await reportedTotals(tracker)).toEqual(raw);

    const stats = await scanTable(tracker, 'stats');
    const byCountry = (country: string) => stats.filter((item) => item.country === country).reduce((sum, item) => sum + Number(item.visits ?? 0), 0);
    expect([byCountry('US'), byCountry('DE'), byCountry('BR')]).toEqual([20, 10, 20]);
    const landerCampaign = stats.filter((item) => item.campaignId === 'lander-camp');
    const sum = (name: string) => landerCampaign.reduce((total, item) => total + Number(item[name] ?? 0), 0);
    expect({ visits: sum('visits'), clicks: sum('clicks'), sales: sum('type:Sale'), leads: sum('type:Lead'), revenue: sum('revenue') }).toEqual({
      visits: 20,
      clicks: 12,
      sales: 3,
      leads: 0,
      revenue: 60,
    });
  });

  it('come out of GET /api/reports as the same figures, as JSON and CSV', async () => {
    // A day either side: the run may straddle midnight UTC.
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const range = `from=${day(-1)}&to=${day(1)}`;
    const auth = { authorization: `Bearer ${tracker.managementToken}` };
    const response = await fetch(`${tracker.url}/api/reports?${range}&groupBy=campaign`, { headers: auth });
    expect(response.status).toBe(200);
    const { rows } = (await response.json()) as { rows: Record<string, unknown>[] };
    const raw = await rawTotals(tracker);
    const total = (name: string) => rows.reduce((sum, row) => sum + Number(row[name]), 0);
    expect({ visits: total('visits'), clicks: total('clicks'), conversions: total('conversions'), revenue: total('revenue') }).toEqual(raw);
    expect(rows.find((row) => row.campaign === 'lander-camp')).toMatchObject({ visits: 20, clicks: 12, conversions: 3, revenue: 60, ctr: 60, epc: 5, conversionsByType: { Sale: 3 } });

    const csv = await fetch(`${tracker.url}/api/reports?${range}&groupBy=country&format=csv`, { headers: auth });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^country,visits,clicks,conversions,revenue,cost,profit,roi,ctr,cr,epv,epc,cpv,ap/);
    expect(lines).toHaveLength(4);

    const refused = await fetch(`${tracker.url}/api/reports?from=yesterday`, { headers: auth });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toContain('from');
  });
});

describe('raw views', () => {
  const auth = () => ({ authorization: `Bearer ${tracker.managementToken}` });
  const get = async (path: string) => {
    const response = await fetch(`${tracker.url}/api/${path}`, { headers: auth() });
    return { status: response.status, body: (await response.json()) as { items: Record<string, unknown>[]; cursor?: string; error?: string } };
  };

  it('page through a campaign\'s latest visits and conversions, newest first', async () => {
    const first = await get('campaigns/lander-camp/visits?limit=15');
    expect(first.body.items).toHaveLength(15);
    const rest = await get(`campaigns/lander-camp/visits?limit=15&cursor=${first.body.cursor}`);
    expect(rest.body.items).toHaveLength(5);
    expect(rest.body.cursor).toBeUndefined();
    const times = [...first.body.items, ...rest.body.items].map((visit) => String(visit.clickedAt));
    expect(times).toEqual([...times].sort().reverse());

    const conversions = await get('campaigns/demo/conversions?limit=4');
    expect(conversions.body.items).toHaveLength(4);
    const next = await get(`campaigns/demo/conversions?limit=100&cursor=${conversions.body.cursor}`);
    expect(conversions.body.items.length + next.body.items.length).toBe(11);
  });

  it('list the day\'s postback error log, and refuse a cursor or limit of their own making', async () => {
    await fetch(`${tracker.url}/postback?cid=0000000000000000000000zzzz`);
    const errors = await get(`postback-errors?day=${new Date().toISOString().slice(0, 10)}`);
    expect(errors.body.items[0]).toMatchObject({ reason: 'unknown-click', clickId: '0000000000000000000000zzzz' });
    expect((await get('campaigns/demo/conversions?cursor=not-ours')).status).toBe(400);
    expect((await get('campaigns/demo/visits?limit=1000')).status).toBe(400);
  });
});
