import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LocalTracker } from '../../local/runtime';
import { startReceiver } from '../support/receiver';
import { scanTable, startTestTracker } from '../support/tracker';

const ROOT = join(__dirname, '..', '..');
let tracker: LocalTracker;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  receiver = await startReceiver();
  tracker = await startTestTracker();
});
afterAll(async () => {
  await tracker.close();
  await receiver.close();
});

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(join(ROOT, 'bin', 'clickstack-cli.cjs'), args, {
    cwd: ROOT,
    env: { ...process.env, CLICKSTACK_URL: tracker.url, CLICKSTACK_TOKEN: tracker.managementToken, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  return stdout;
}

function campaignYaml(): string {
  return `
networks:
  - id: offervault
    name: OfferVault
traffic-sources:
  - id: push
    name: Push Network
    parameters: { externalId: clickid, cost: cost, vars: [zone] }
    postbackUrl: ${receiver.url}/conversion?click={externalid}&amount={payout}&tx={txid}
offers:
  - { id: offer-a, name: Offer A, url: "https://a.example/?s={clickid}", networkId: offervault, payout: 3 }
  - { id: offer-b, name: Offer B, url: "https://b.example/?s={clickid}", networkId: offervault, payout: 5 }
landers:
  - { id: quiz, name: Quiz, url: "https://lander.example/quiz?cid={clickid}", offerCount: 2 }
campaigns:
  - id: summer
    name: Summer push
    trafficSourceId: push
    rulePaths:
      - name: US mobile through the quiz
        rules: [{ field: country, values: [US] }, { field: device, values: [mobile] }]
        path:
          landers: [{ id: quiz }]
          offers: [{ id: offer-a, weight: 70 }, { id: offer-b, weight: 30 }]
      - name: DACH straight to B
        rules: [{ field: country, values: [DE, AT, CH] }]
        path: { offers: [{ id: offer-b }] }
    defaultPath: { offers: [{ id: offer-a }] }
`;
}

async function visit(country: string, mobile = false): Promise<Response> {
  return fetch(`${tracker.url}/c/summer?clickid=ts-${country}&cost=0.02&zone=z1`, {
    redirect: 'manual',
    headers: { 'cloudfront-viewer-country': country, 'cloudfront-is-mobile-viewer': String(mobile) },
  });
}

describe('a campaign with rule paths, a lander and weighted offers, created with the CLI', () => {
  it('is applied through the management API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'clickstack-cli-'));
    writeFileSync(join(dir, 'campaign.yaml'), campaignYaml());
    const output = await cli('apply', join(dir, 'campaign.yaml'));
    expect(output.trim().split('\n')).toEqual([
      'applied networks offervault',
      'applied traffic-sources push',
      'applied offers offer-a',
      'applied offers offer-b',
      'applied landers quiz',
      'applied campaigns summer',
    ]);
    expect(await cli('list', 'offers')).toBe('demo-offer\tDemo offer\noffer-a\tOffer A\noffer-b\tOffer B\n');
  });

  it('routes visitors from different countries down the right paths', async () => {
    const us = await visit('US', true);
    expect(new URL(us.headers.get('location')!).host).toBe('lander.example');
    expect(us.headers.get('set-cookie')).toMatch(/^cs_cid=[0-9a-z]{26}; Path=\/; Max-Age=\d+; Secure; HttpOnly; SameSite=None$/);
    expect(new URL((await visit('DE')).headers.get('location')!).host).toBe('b.example');
    expect(new URL((await visit('FR')).headers.get('location')!).host).toBe('a.example');
    expect(new URL((await visit('US', false)).headers.get('location')!).host).toBe('a.example');
  });

  it('takes the lander click-through by cookie or ?cid=, to the weighted or the numbered offer', async () => {
    const landing = await visit('US', true);
    const cid = new URL(landing.headers.get('location')!).searchParams.get('cid')!;
    const byCookie = await fetch(`${tracker.url}/click`, { redirect: 'manual', headers: { cookie: `cs_cid=${cid}` } });
    expect(byCookie.status).toBe(302);
    expect(['a.example', 'b.example']).toContain(new URL(byCookie.headers.get('location')!).host);
    const second = await fetch(`${tracker.url}/click/2?cid=${cid}`, { redirect: 'manual' });
    expect(new URL(second.headers.get('location')!).toString()).toBe(`https://b.example/?s=${cid}`);

    const click = (await scanTable(tracker, 'clicks')).find((item) => item.clickId === cid);
    expect(click).toMatchObject({ landerId: 'quiz', pathIndex: 1, offerId: 'offer-b', country: 'US', device: 'mobile' });
    expect(click?.clickedThroughAt).toEqual(expect.any(String));

    const lost = await fetch(`${tracker.url}/click`, { redirect: 'manual' });
    expect(lost.status).toBe(404);
  });

  it('tells the traffic source about a conversion exactly once, with its external ID and the payout', async () => {
    const direct = await visit('AT');
    const cid = new URL(direct.headers.get('location')!).searchParams.get('s')!;
    for (let i = 0; i < 3; i++) await fetch(`${tracker.url}/postback?cid=${cid}&txid=order-77`);
    await tracker.queues.drain();

    const calls = receiver.calls.filter((call) => call.searchParams.get('tx') === 'order-77');
    expect(calls.map((call) => Object.fromEntries(call.searchParams))).toEqual([{ click: 'ts-AT', amount: '5', tx: 'order-77' }]);
    const conversion = (await scanTable(tracker, 'conversions')).find((item) => item.clickId === cid);
    expect(conversion?.sourcePostback).toMatchObject({ status: 'sent', attempts: 1, httpStatus: 200 });
  });

  it('gives the URLs to paste into the source, the lander and the network', async () => {
    const urls = JSON.parse(await cli('urls', 'summer'));
    expect(urls).toEqual({
      campaignUrl: `${tracker.url}/c/summer?clickid={externalid}&cost={cost}&zone={var1}`,
      landerClickUrls: [`${tracker.url}/click`, `${tracker.url}/click/1`, `${tracker.url}/click/2`],
      postbackUrls: [{ networkId: 'offervault', name: 'OfferVault', url: `${tracker.url}/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL` }],
    });
  });
});
