import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { HttpHandler } from '../../lambda/handler';
import type { LocalTracker } from '../../local/runtime';
import { apiEvent, clickIdFrom, scanTable, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;
let handler: HttpHandler;
let documentClient: typeof import('../../lambda/store/dynamo-store').documentClient;

beforeAll(async () => {
  tracker = await startTestTracker({ CLICK_TTL_DAYS: '7' });
  ({ handler } = await import('../../lambda/handlers/click'));
  ({ documentClient } = await import('../../lambda/store/dynamo-store'));
});
afterAll(() => tracker.close());

const visitor = {
  'user-agent': 'Mozilla/5.0 (iPhone)',
  'cloudfront-viewer-country': 'BR',
  'cloudfront-is-mobile-viewer': 'true',
  'cloudfront-viewer-address': '198.51.100.23:40000',
};

describe('click handler', () => {
  it('records the visit under a fresh click ID and 302s to the offer with tokens filled', async () => {
    const response = await handler(apiEvent('GET', '/c/demo?clickid=ts-77&cost=0.02&zone=z1&creative=c9', { headers: visitor }));

    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers?.location));
    expect(location.origin + location.pathname).toBe('https://offer.example.com/landing');
    const clickId = clickIdFrom(location.href);
    expect(clickId).toMatch(/^[0-9a-z]{26}$/);
    expect(location.searchParams.get('sub2')).toBe('demo');
    expect(location.searchParams.get('sub3')).toBe('z1');
    expect(response.headers?.['cache-control']).toBe('no-store');

    const clicks = await scanTable(tracker, 'clicks');
    const click = clicks.find((item) => item.clickId === clickId);
    expect(click).toMatchObject({
      campaignId: 'demo',
      offerId: 'demo-offer',
      trafficSourceId: 'demo-source',
      externalId: 'ts-77',
      cost: 0.02,
      vars: { var1: 'z1', var2: 'c9' },
      country: 'BR',
      device: 'mobile',
      ip: '198.51.100.23',
      userAgent: 'Mozilla/5.0 (iPhone)',
    });
    const ttlSeconds = Number(click?.expiresAt) - Math.floor(Date.parse(String(click?.clickedAt)) / 1000);
    expect(ttlSeconds).toBe(7 * 24 * 3600);
  });

  it('mints a new click ID for every visit', async () => {
    const responses = await Promise.all(Array.from({ length: 20 }, () => handler(apiEvent('GET', '/c/demo'))));
    const ids = new Set(responses.map((response) => clickIdFrom(String(response.headers?.location))));
    expect(ids.size).toBe(20);
  });

  it('makes exactly one DynamoDB write and no read per click once config is cached', async () => {
    await handler(apiEvent('GET', '/c/demo'));
    const send = jest.spyOn(documentClient, 'send');
    try {
      await handler(apiEvent('GET', '/c/demo?zone=a'));
      await handler(apiEvent('GET', '/c/demo?zone=b'));
      // The report aggregator shares this process (and client) locally; its stats writes are not the click's.
      const commands = send.mock.calls
        .map(([command]) => command as unknown as { constructor: { name: string }; input: { TableName?: string } })
        .filter((command) => command.input.TableName !== tracker.tableNames.stats)
        .map((command) => command.constructor.name);
      expect(commands).toEqual(['PutCommand', 'PutCommand']);
    } finally {
      send.mockRestore();
    }
  });

  it.each(['/c/unknown', '/c/has%20space', `/c/${'x'.repeat(65)}`])('answers %s with a 404 JSON error', async (path) => {
    const response = await handler(apiEvent('GET', path));
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(String(response.body))).toEqual({ error: 'unknown campaign' });
  });

  it('still redirects the visitor with a valid click ID when the click write fails', async () => {
    await handler(apiEvent('GET', '/c/demo'));
    const mock = mockClient(documentClient);
    mock.on(PutCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    mock.on(GetCommand).rejects(new Error('config must come from the cache'));
    try {
      const response = await handler(apiEvent('GET', '/c/demo'));
      expect(response.statusCode).toBe(302);
      expect(clickIdFrom(String(response.headers?.location))).toMatch(/^[0-9a-z]{26}$/);
      // Only the click's own write: the local report aggregator shares this client and may write stats meanwhile.
      expect(mock.commandCalls(PutCommand).filter((call) => call.args[0].input.TableName === tracker.tableNames.clicks)).toHaveLength(1);
    } finally {
      mock.restore();
    }
  });

  it('answers a config read failure with a 500 JSON error and no internals', async () => {
    const mock = mockClient(documentClient);
    mock.on(GetCommand).rejects(new Error('socket hang up at Object.<anonymous> (/var/task/index.js:1:2)'));
    try {
      const response = await handler(apiEvent('GET', '/c/not-cached-yet'));
      expect(response.statusCode).toBe(500);
      expect(JSON.parse(String(response.body))).toEqual({ error: 'internal error' });
    } finally {
      mock.restore();
    }
  });

  it('refuses to redirect when an offer URL could leave its host', async () => {
    await tracker.store.putConfig({ entityType: 'offer', value: { id: 'bad', name: 'Bad', url: 'https://{var1}/x' } });
    await tracker.store.putConfig({ entityType: 'campaign', value: { id: 'bad', name: 'Bad', defaultPath: { offers: [{ id: 'bad' }] } } });
    const response = await handler(apiEvent('GET', '/c/bad?var1=evil.example'));
    expect(response.statusCode).toBe(500);
    expect(response.headers?.location).toBeUndefined();
    expect(JSON.parse(String(response.body)).error).toContain('misconfigured');
  });
});

describe('redirect modes', () => {
  let clickThrough: HttpHandler;
  beforeAll(async () => {
    ({ handler: clickThrough } = await import('../../lambda/handlers/click-through'));
    for (const redirectMode of ['meta-refresh', 'double-meta-refresh'] as const) {
      await tracker.store.putConfig({
        entityType: 'campaign',
        value: { id: redirectMode, name: redirectMode, redirectMode, defaultPath: { offers: [{ id: 'demo-offer' }] } },
      });
    }
  });

  const refreshTarget = (body: string | undefined) => /content="0;url=([^"]+)"/.exec(String(body))?.[1].replace(/&amp;/g, '&');

  it('meta refresh: an HTML page that refreshes to the offer without a referrer', async () => {
    const response = await handler(apiEvent('GET', '/c/meta-refresh'));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'referrer-policy': 'no-referrer' });
    expect(new URL(refreshTarget(response.body)!).host).toBe('offer.example.com');
  });

  it('double meta refresh: first to /r/{clickId} on the tracking domain, from there to the offer', async () => {
    const first = await handler(apiEvent('GET', '/c/double-meta-refresh'));
    const hop = refreshTarget(first.body)!;
    expect(hop).toMatch(/^\/r\/[0-9a-z]{26}\?c=double-meta-refresh&to=https%3A%2F%2Foffer\.example\.com%2F/);
    const second = await clickThrough(apiEvent('GET', hop));
    expect(second.statusCode).toBe(200);
    const offer = new URL(refreshTarget(second.body)!);
    expect(offer.host).toBe('offer.example.com');
    expect(offer.searchParams.get('sub1')).toBe(hop.slice(3, 29));
  });

  it('double meta refresh: the second hop reads no click, so it works while the click write is buffered', async () => {
    await clickThrough(apiEvent('GET', refreshTarget((await handler(apiEvent('GET', '/c/double-meta-refresh'))).body)!));
    const mock = mockClient(documentClient);
    mock.on(PutCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    mock.on(GetCommand).rejects(new Error('no read on the hop'));
    try {
      const hop = refreshTarget((await handler(apiEvent('GET', '/c/double-meta-refresh'))).body)!;
      const second = await clickThrough(apiEvent('GET', hop));
      expect(second.statusCode).toBe(200);
      expect(new URL(refreshTarget(second.body)!).searchParams.get('sub1')).toBe(hop.slice(3, 29));
    } finally {
      mock.restore();
    }
  });

  it.each([
    ['another host', '/r/x?c=double-meta-refresh&to=https%3A%2F%2Fevil.example%2F'],
    ['another scheme', '/r/x?c=double-meta-refresh&to=javascript%3Aalert(1)'],
    ['a lookalike host', '/r/x?c=double-meta-refresh&to=https%3A%2F%2Foffer.example.com.evil.example%2F'],
    ['an unknown campaign', '/r/x?c=nope&to=https%3A%2F%2Foffer.example.com%2F'],
    ['no campaign', '/r/x?to=https%3A%2F%2Foffer.example.com%2F'],
  ])('double meta refresh: a hop to %s is a 404, never a redirect', async (_, hop) => {
    const response = await clickThrough(apiEvent('GET', hop));
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(String(response.body))).toEqual({ error: 'no offer of this campaign to go on to' });
  });

  it('the conversion pixel finds the click by the cookie the visit set', async () => {
    const { handler: pixel } = await import('../../lambda/handlers/postback');
    const visit = await handler(apiEvent('GET', '/c/demo'));
    const cookie = String(visit.cookies?.[0]).split(';')[0];
    const response = await pixel(apiEvent('GET', '/conversion.gif', { headers: { cookie } }));
    expect(response.headers?.['content-type']).toBe('image/gif');
    const cid = cookie.split('=')[1];
    expect((await scanTable(tracker, 'conversions')).filter((item) => item.clickId === cid)).toHaveLength(1);
  });
});
