import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
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
