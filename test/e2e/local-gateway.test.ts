import type { LocalTracker } from '../../local/runtime';
import { clickIdFrom, scanTable, startTestTracker } from '../support/tracker';

let tracker: LocalTracker;

beforeAll(async () => {
  tracker = await startTestTracker();
});
afterAll(() => tracker.close());

async function json(response: Response): Promise<Record<string, unknown>> {
  expect(response.headers.get('content-type')).toContain('application/json');
  return (await response.json()) as Record<string, unknown>;
}

describe('the tracker over HTTP through the local gateway', () => {
  it('visit → 302 with a click ID → postback → concurrent duplicates → counted once → unknown cid logged', async () => {
    const visit = await fetch(`${tracker.url}/c/demo?clickid=ts-1&cost=0.05&zone=z42`, {
      redirect: 'manual',
      headers: { 'cloudfront-viewer-country': 'US', 'user-agent': 'e2e' },
    });
    expect(visit.status).toBe(302);
    const cid = clickIdFrom(visit.headers.get('location') ?? undefined);

    const postbackUrl = `${tracker.url}/postback?cid=${cid}&payout=2.50&txid=order-1`;
    const first = await fetch(postbackUrl);
    expect(first.status).toBe(200);
    expect(await json(first)).toMatchObject({ status: 'converted', cid, payout: 2.5 });

    const racing = await Promise.all(Array.from({ length: 10 }, () => fetch(postbackUrl)));
    const statuses = await Promise.all(racing.map(async (response) => (await json(response)).status));
    expect(statuses).toEqual(Array(10).fill('duplicate'));

    const conversions = (await scanTable(tracker, 'conversions')).filter((item) => item.clickId === cid);
    expect(conversions).toHaveLength(1);
    expect(conversions[0]).toMatchObject({ externalId: 'ts-1', country: 'US', payout: 2.5 });

    const unknown = await fetch(`${tracker.url}/postback?cid=0000000000000000000000zzzz`);
    expect(unknown.status).toBe(404);
    expect(await json(unknown)).toEqual({ error: 'no click with this cid' });
    const errors = await scanTable(tracker, 'postbackErrors');
    expect(errors).toEqual(expect.arrayContaining([expect.objectContaining({ clickId: '0000000000000000000000zzzz', reason: 'unknown-click' })]));
  });

  it('counts a first postback fired twice at the same moment once', async () => {
    const visit = await fetch(`${tracker.url}/c/demo`, { redirect: 'manual' });
    const cid = clickIdFrom(visit.headers.get('location') ?? undefined);
    const both = await Promise.all([1, 2].map(() => fetch(`${tracker.url}/postback?cid=${cid}&txid=same-moment`)));
    const statuses = (await Promise.all(both.map(json))).map((body) => body.status).sort();
    expect(statuses).toEqual(['converted', 'duplicate']);
  });

  it('accepts a form POST postback', async () => {
    const visit = await fetch(`${tracker.url}/c/demo`, { redirect: 'manual' });
    const cid = clickIdFrom(visit.headers.get('location') ?? undefined);
    const response = await fetch(`${tracker.url}/postback`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `cid=${cid}&payout=7&et=sale`,
    });
    expect(await json(response)).toMatchObject({ status: 'converted', et: 'sale', payout: 7 });
  });

  it('serves the pixel as an image', async () => {
    const visit = await fetch(`${tracker.url}/c/demo`, { redirect: 'manual' });
    const cid = clickIdFrom(visit.headers.get('location') ?? undefined);
    const pixel = await fetch(`${tracker.url}/conversion.gif?cid=${cid}`);
    expect(pixel.headers.get('content-type')).toBe('image/gif');
    expect(Buffer.from(await pixel.arrayBuffer()).subarray(0, 3).toString()).toBe('GIF');
  });

  it.each([
    ['GET', '/nowhere', 404],
    ['DELETE', '/postback', 404],
    ['GET', '/c/unknown-campaign', 404],
    ['GET', '/c/%E0%A4%A', 400],
    ['GET', '/dashboard/missing.js', 404],
    ['POST', '/dashboard/', 404],
  ])('answers %s %s with %i and a JSON error', async (method, path, status) => {
    const response = await fetch(`${tracker.url}${path}`, { method, redirect: 'manual' });
    expect(response.status).toBe(status);
    expect((await json(response)).error).toEqual(expect.any(String));
  });
});

describe('the dashboard, served as CloudFront serves it from S3', () => {
  it('sends /dashboard to the directory and the directory to its index.html, under the content security policy', async () => {
    const bare = await fetch(`${tracker.url}/dashboard`, { redirect: 'manual' });
    expect([bare.status, bare.headers.get('location')]).toEqual([301, '/dashboard/']);
    const index = await fetch(`${tracker.url}/dashboard/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toBe(await (await fetch(`${tracker.url}/dashboard/index.html`)).text());
    const script = await fetch(`${tracker.url}/dashboard/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });
});
