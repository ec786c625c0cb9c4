import type { HttpHandler } from '../../lambda/handler';
import type { LocalTracker } from '../../local/runtime';
import { apiEvent, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;
let management: HttpHandler;

beforeAll(async () => {
  tracker = await startTestTracker();
  ({ handler: management } = await import('../../lambda/handlers/management'));
});
afterAll(() => tracker.close());

function call(method: string, path: string, body?: unknown, token: string | null = tracker.managementToken) {
  return management(
    apiEvent(method, `/api/${path}`, {
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

const parsed = (response: Awaited<ReturnType<HttpHandler>>) => JSON.parse(String(response.body || 'null'));

describe('management API', () => {
  it('refuses a request without a token (401) and with a wrong one (403)', async () => {
    const anonymous = await call('GET', 'campaigns', undefined, null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers?.['www-authenticate']).toBe('Bearer');
    expect((await call('GET', 'campaigns', undefined, 'guess')).statusCode).toBe(403);
  });

  it('creates, reads, lists, replaces and deletes', async () => {
    const offer = { id: 'crud-offer', name: 'CRUD', url: 'https://o.example/?c={clickid}' };
    expect((await call('POST', 'offers', offer)).statusCode).toBe(201);
    expect((await call('POST', 'offers', offer)).statusCode).toBe(409);
    expect(parsed(await call('GET', 'offers/crud-offer'))).toEqual(offer);
    expect(parsed(await call('GET', 'offers')).items.map((item: { id: string }) => item.id)).toContain('crud-offer');
    expect(parsed(await call('PUT', 'offers/crud-offer', { ...offer, name: 'Renamed' })).name).toBe('Renamed');
    expect((await call('DELETE', 'offers/crud-offer')).statusCode).toBe(204);
    expect((await call('GET', 'offers/crud-offer')).statusCode).toBe(404);
  });

  it.each([
    ['offers', { id: 'x', name: 'X', url: 'https://{var1}.example/' }, 'offer.url must not have tokens in its host'],
    ['offers', { id: 'x', name: 'X', url: 'https://o.example/', payout: 'lots' }, 'offer.payout'],
    ['campaigns', { id: 'x', name: 'X' }, 'campaign.defaultPath is required'],
    ['campaigns', { id: 'x', name: 'X', defaultPath: { offers: [] } }, 'campaign.defaultPath.offers needs at least one entry'],
    ['campaigns', { id: 'x', name: 'X', defaultPath: { offers: [{ id: 'nope' }] } }, 'refers to offer nope, which does not exist'],
    ['campaigns', { id: 'x', name: 'X', defaultPath: 'direct' }, 'campaign'],
    ['networks', { id: 'x', name: 'X', ipWhitelist: ['300.1.1.1'] }, 'network.ipWhitelist'],
    ['landers', { id: 'x', name: 'X', url: 'https://l.example/', offerCount: 11 }, 'lander.offerCount'],
    ['traffic-sources', 'not json', 'body must be JSON'],
    ['offers', { id: 'x', name: 'X', url: 'https://o.example/', payot: 5 }, 'offer has unknown field payot; known are id, name, url'],
    ['campaigns', { id: 'x', name: 'X', defaultPath: { offers: [{ id: 'demo-offer', wieght: 5 }] } }, 'campaign.defaultPath.offers[0] has unknown field wieght'],
    ['campaigns', { id: 'x', name: 'X', costModel: { type: 'cpc', value: 1, currency: 'EUR' }, defaultPath: { offers: [{ id: 'demo-offer' }] } }, 'campaign.costModel has unknown field currency'],
    ['traffic-sources', { id: 'x', name: 'X', parameters: { externalID: 'cid' } }, 'trafficSource.parameters has unknown field externalID'],
    ['networks', { id: 'x', name: 'X', eventTypes: { sale: { name: 'Sale', stauts: 'approved' } } }, 'network.eventTypes.sale has unknown field stauts'],
  ])('answers an invalid %s with a 400 naming the field', async (collection, body, message) => {
    const response = await call('POST', collection, body);
    expect(response.statusCode).toBe(400);
    expect(parsed(response).error).toContain(message);
  });

  it('refuses to delete what a campaign uses (409), and unknown collections (404)', async () => {
    const response = await call('DELETE', 'offers/demo-offer');
    expect(response.statusCode).toBe(409);
    expect(parsed(response).error).toBe('offer demo-offer is used by campaign demo');
    expect((await call('GET', 'widgets')).statusCode).toBe(404);
    expect((await call('DELETE', 'campaigns')).statusCode).toBe(405);
  });
});

describe('reports over the counter partitions', () => {
  const hour = `${new Date().toISOString().slice(0, 13)}`;
  const day = hour.slice(0, 10);
  const counters = (campaignId: string, visits: number) =>
    tracker.store.addCounters(
      {
        key: { campaignId, hour, offerId: 'o', landerId: '', trafficSourceId: '', country: 'US', device: 'mobile' },
        contributions: [{ sequence: '1', counters: { visits } }],
      },
      `shard-${campaignId}`,
    );
  const report = async (query: string) => parsed(await call('GET', `reports?from=${day}&to=${day}&${query}`)).rows as Record<string, unknown>[];

  beforeAll(async () => {
    // `c1` is a prefix of `c10`; `gone` has counters but no config any more.
    await Promise.all([counters('c1', 3), counters('c10', 5), counters('gone', 7)]);
  });

  it('reads a fixed number of partitions per day for every campaign, however many there are', async () => {
    // Imported after the tracker has set the environment, as the handlers are.
    const { documentClient, STATS_SHARDS } = await import('../../lambda/store/dynamo-store');
    const send = jest.spyOn(documentClient, 'send');
    try {
      const rows = await report('groupBy=campaign');
      const queries = send.mock.calls.filter(([command]) => command.constructor.name === 'QueryCommand');
      // The report's day and one either side, STATS_SHARDS partitions each; no campaign listing.
      expect(queries).toHaveLength(3 * STATS_SHARDS);
      expect(send.mock.calls).toHaveLength(queries.length);
      expect(rows.filter((row) => ['c1', 'c10', 'gone'].includes(String(row.campaign))).map((row) => [row.campaign, row.visits]).sort()).toEqual([
        ['c1', 3],
        ['c10', 5],
        ['gone', 7],
      ]);
    } finally {
      send.mockRestore();
    }
  });

  it('reads only the filtered campaigns\' counters, a campaign whose id starts another\'s included', async () => {
    expect((await report('groupBy=campaign&campaign=c1')).map((row) => [row.campaign, row.visits])).toEqual([['c1', 3]]);
    expect((await report('groupBy=&campaign=c1,c10'))[0]).toMatchObject({ visits: 8 });
  });
});
