import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { AffiliateNetwork, validateCampaign, validateNetwork, validateOffer } from '../../lambda/domain/config';
import type { HttpHandler } from '../../lambda/handler';
import type { LocalTracker } from '../../local/runtime';
import { apiEvent, clickIdFrom, scanTable, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;
let click: HttpHandler;
let postback: HttpHandler;

beforeAll(async () => {
  tracker = await startTestTracker();
  ({ handler: click } = await import('../../lambda/handlers/click'));
  ({ handler: postback } = await import('../../lambda/handlers/postback'));
});
afterAll(() => tracker.close());

async function newClick(): Promise<string> {
  const response = await click(apiEvent('GET', '/c/demo?clickid=ext-1'));
  return clickIdFrom(String(response.headers?.location));
}

function body(response: Awaited<ReturnType<HttpHandler>>): Record<string, unknown> {
  return JSON.parse(String(response.body));
}

async function conversionsOf(clickId: string) {
  return (await scanTable(tracker, 'conversions')).filter((item) => item.clickId === clickId);
}

async function errorsFor(clickId: string) {
  return (await scanTable(tracker, 'postbackErrors')).filter((item) => item.clickId === clickId);
}

describe('postback handler', () => {
  it('attributes a conversion to its click, and counts a repeat as a duplicate', async () => {
    const cid = await newClick();
    const first = await postback(apiEvent('GET', `/postback?cid=${cid}&payout=3.75&txid=T1&currency=EUR`));
    expect(first.statusCode).toBe(200);
    expect(body(first)).toEqual({ status: 'converted', cid, et: null, txid: 'T1', payout: 3.75, currency: 'EUR' });

    const again = await postback(apiEvent('GET', `/postback?cid=${cid}&payout=3.75&txid=T1&currency=EUR`));
    expect(again.statusCode).toBe(200);
    expect(body(again).status).toBe('duplicate');

    const conversions = await conversionsOf(cid);
    expect(conversions).toHaveLength(1);
    expect(conversions[0]).toMatchObject({
      campaignId: 'demo',
      offerId: 'demo-offer',
      trafficSourceId: 'demo-source',
      externalId: 'ext-1',
      payout: 3.75,
      currency: 'EUR',
      txid: 'T1',
    });
  });

  it('counts concurrent identical postbacks once', async () => {
    const cid = await newClick();
    const responses = await Promise.all(
      Array.from({ length: 25 }, () => postback(apiEvent('GET', `/postback?cid=${cid}&txid=same`))),
    );
    const statuses = responses.map((response) => body(response).status);
    expect(statuses.filter((status) => status === 'converted')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'duplicate')).toHaveLength(24);
    expect(await conversionsOf(cid)).toHaveLength(1);
  });

  it('counts a new txid (upsell) and a new event type as new conversions', async () => {
    const cid = await newClick();
    const outcomes = [];
    for (const query of ['txid=A', 'txid=B', 'txid=A&et=upsell', 'txid=B']) {
      outcomes.push(body(await postback(apiEvent('GET', `/postback?cid=${cid}&${query}`))).status);
    }
    expect(outcomes).toEqual(['converted', 'converted', 'converted', 'duplicate']);
    expect(await conversionsOf(cid)).toHaveLength(3);
  });

  it('credits the offer payout when the network sends none or an unfilled macro', async () => {
    const cid = await newClick();
    const response = await postback(apiEvent('GET', `/postback?cid=${cid}&payout=OPTIONAL&txid=OPTIONAL`));
    expect(body(response)).toMatchObject({ status: 'converted', payout: 2.5, currency: 'USD', txid: null });
  });

  it('accepts POST with a form body or a JSON body', async () => {
    const cid = await newClick();
    const form = await postback(
      apiEvent('POST', '/postback', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `cid=${cid}&payout=1.5&txid=F`,
      }),
    );
    expect(body(form)).toMatchObject({ status: 'converted', payout: 1.5, txid: 'F' });
    const json = await postback(
      apiEvent('POST', '/postback', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ cid, payout: 2, txid: 'J' }),
      }),
    );
    expect(body(json)).toMatchObject({ status: 'converted', payout: 2, txid: 'J' });
  });

  it('answers the conversion pixel with a GIF', async () => {
    const cid = await newClick();
    const response = await postback(apiEvent('GET', `/conversion.gif?cid=${cid}`));
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('image/gif');
    expect(Buffer.from(String(response.body), 'base64').subarray(0, 6).toString()).toBe('GIF89a');
    expect(await conversionsOf(cid)).toHaveLength(1);
  });

  it('refuses an unknown cid with a 404 and logs why', async () => {
    const cid = '0000000000000000000000zzzz';
    const response = await postback(apiEvent('GET', `/postback?cid=${cid}&payout=5`, { sourceIp: '192.0.2.50' }));
    expect(response.statusCode).toBe(404);
    expect(body(response)).toEqual({ error: 'no click with this cid' });
    const [logged] = await errorsFor(cid);
    expect(logged).toMatchObject({ reason: 'unknown-click', ip: '192.0.2.50', request: `GET /postback?cid=${cid}&payout=5` });
    expect(Number(logged.expiresAt)).toBeGreaterThan(Date.now() / 1000);
  });

  it('refuses a click past its attribution window, and logs it', async () => {
    const cid = '0000000000000000000000yyyy';
    await tracker.store.putClick({
      clickId: cid,
      campaignId: 'demo',
      offerId: 'demo-offer',
      clickedAt: '2026-01-01T00:00:00.000Z',
      expiresAt: Math.floor(Date.parse('2026-01-31T00:00:00Z') / 1000),
      ip: '192.0.2.1',
    });
    const response = await postback(apiEvent('GET', `/postback?cid=${cid}`));
    expect(response.statusCode).toBe(404);
    expect(body(response).error).toContain('attribution window');
    expect(await conversionsOf(cid)).toHaveLength(0);
    expect(await errorsFor(cid)).toEqual([expect.objectContaining({ reason: 'expired-click' })]);
  });

  it.each([
    ['/postback', 400, 'cid is required'],
    ['/postback?cid=0000000000000000000000xxxx&payout=ten', 400, 'payout must be a decimal number'],
    ['/postback?cid=0000000000000000000000xxxx&currency=dollars', 400, 'currency must be'],
  ])('answers %s with %i and a JSON error, and logs it', async (path, status, message) => {
    const before = (await scanTable(tracker, 'postbackErrors')).length;
    const response = await postback(apiEvent('GET', path));
    expect(response.statusCode).toBe(status);
    expect(body(response).error).toContain(message);
    expect(await scanTable(tracker, 'postbackErrors')).toHaveLength(before + 1);
  });

  it.each([
    ['text/xml', '<cid/>', 415],
    ['application/json', '{not json', 400],
    ['application/json', '[1]', 400],
    ['application/x-www-form-urlencoded', `cid=${'x'.repeat(9000)}`, 413],
  ])('refuses a %s body %#', async (contentType, payload, status) => {
    const response = await postback(apiEvent('POST', '/postback', { headers: { 'content-type': contentType }, body: payload }));
    expect(response.statusCode).toBe(status);
    expect(body(response).error).toEqual(expect.any(String));
  });

  it('answers a store failure with a 500 JSON error and no internals', async () => {
    const { documentClient } = await import('../../lambda/store/dynamo-store');
    const mock = mockClient(documentClient);
    mock.on(GetCommand).rejects(new Error('connect ETIMEDOUT 10.0.0.1:443'));
    try {
      const response = await postback(apiEvent('GET', '/postback?cid=0000000000000000000000wwww'));
      expect(response.statusCode).toBe(500);
      expect(body(response)).toEqual({ error: 'internal error' });
    } finally {
      mock.restore();
    }
  });
});

describe('postbacks of a configured network', () => {
  const WHITELISTED = '203.0.113.10';
  let nextOffer = 0;

  /** A campaign whose offer belongs to a network with these settings; returns a fresh click on it. */
  async function clickFor(network: Omit<AffiliateNetwork, 'id' | 'name'>): Promise<string> {
    const id = `net-${++nextOffer}`;
    await tracker.store.putConfig({ entityType: 'network', value: validateNetwork({ id, name: id, ...network }) });
    await tracker.store.putConfig({
      entityType: 'offer',
      value: validateOffer({ id, name: id, url: 'https://offer.example.com/?s={clickid}', payout: 1, networkId: id }),
    });
    await tracker.store.putConfig({ entityType: 'campaign', value: validateCampaign({ id, name: id, defaultPath: { offers: [{ id }] } }) });
    const response = await click(apiEvent('GET', `/c/${id}`));
    return new URL(String(response.headers?.location)).searchParams.get('s')!;
  }

  const send = (query: string, sourceIp = WHITELISTED) => postback(apiEvent('GET', `/postback?${query}`, { sourceIp }));

  it('moves one conversion through its statuses without counting revenue twice', async () => {
    const cid = await clickFor({
      eventTypes: {
        lead: { name: 'Lead', status: 'pending' },
        sale: { name: 'Sale', status: 'approved' },
        chargeback: { name: 'Chargeback', status: 'chargeback' },
      },
    });
    const steps = [];
    for (const query of ['et=lead&payout=1', 'et=sale&payout=30', 'et=sale&payout=30', 'et=chargeback&payout=-30']) {
      const response = await send(`cid=${cid}&txid=order-9&${query}`);
      steps.push([body(response).status, body(response).payout]);
    }
    expect(steps).toEqual([
      ['converted', 1],
      ['updated', 30],
      ['duplicate', 30],
      ['updated', 0],
    ]);
    const conversions = await conversionsOf(cid);
    expect(conversions).toEqual([expect.objectContaining({ status: 'chargeback', eventName: 'Chargeback', payout: 0, version: 3 })]);
  });

  it('applies one of many concurrent identical status changes', async () => {
    const cid = await clickFor({ eventTypes: { lead: { name: 'Lead', status: 'pending' }, sale: { name: 'Sale', status: 'approved' } } });
    await send(`cid=${cid}&txid=t&et=lead`);
    const responses = await Promise.all(Array.from({ length: 10 }, () => send(`cid=${cid}&txid=t&et=sale&payout=50`)));
    const statuses = responses.map((response) => body(response).status).sort();
    expect(statuses).toEqual([...Array(9).fill('duplicate'), 'updated']);
    expect(await conversionsOf(cid)).toEqual([expect.objectContaining({ status: 'approved', payout: 50, version: 2 })]);
  });

  it('follows the network duplicate policy', async () => {
    const accepting = await clickFor({ duplicatePolicy: 'accept-duplicates' });
    await send(`cid=${accepting}&txid=a`);
    await send(`cid=${accepting}&txid=a`);
    expect(await conversionsOf(accepting)).toHaveLength(2);

    const noUpsells = await clickFor({ duplicatePolicy: 'no-upsells' });
    expect(body(await send(`cid=${noUpsells}&txid=a`)).status).toBe('converted');
    expect(body(await send(`cid=${noUpsells}&txid=b`)).status).toBe('duplicate');
    expect(await conversionsOf(noUpsells)).toHaveLength(1);
  });

  it('refuses postbacks from outside the IP whitelist or without the secret with a 403, and logs them', async () => {
    const cid = await clickFor({ ipWhitelist: ['203.0.113.0/24'], postbackSecret: 'network-shared-secret' });
    const outsider = await send(`cid=${cid}&secret=network-shared-secret`, '198.51.100.1');
    expect(outsider.statusCode).toBe(403);
    expect(body(outsider).error).toContain('198.51.100.1');
    const noSecret = await send(`cid=${cid}`);
    expect(noSecret.statusCode).toBe(403);
    expect(await conversionsOf(cid)).toHaveLength(0);
    expect((await errorsFor(cid)).map((entry) => entry.reason)).toEqual(['forbidden', 'forbidden']);

    expect(body(await send(`cid=${cid}&secret=network-shared-secret`)).status).toBe('converted');
  });
});
