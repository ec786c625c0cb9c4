import { CampaignBundle } from '../../lambda/domain/config';
import { UnsafeRedirectError, recordVisit, viewerIp } from '../../lambda/domain/visit';

const bundle: CampaignBundle = {
  campaign: { id: 'c1', name: 'Summer push', trafficSourceId: 'ts1', defaultPath: { offers: [{ id: 'o1' }] } },
  offers: {
    o1: {
      id: 'o1',
      name: 'Offer One',
      url: 'https://offer.example/go?cid={clickid}&c={campaign.id}&cn={campaign.name}&o={offer.name}&ts={trafficsource.name}&ext={externalid}&cost={cost}&v1={var1}&zone={var:zone}&v3={var3}&cc={country}&dev={device}&ip={ip}&ua={useragent}&ref={referrerdomain}&dom={trackingdomain}&x={unknown}',
    },
  },
  landers: {},
  trafficSource: { id: 'ts1', name: 'Push Network', parameters: { externalId: 'click_id', cost: 'cpc', vars: ['zone', 'creative'] } },
};
const now = new Date('2026-11-24T10:00:00Z');
const options = { clickId: 'clk0000000000000000000000a', now, clickTtlSeconds: 3600 };

describe('recordVisit', () => {
  const request = {
    query: { click_id: 'ext 1', cpc: '0.015', zone: 'z&9', creative: 'cr2', other: 'ignored' },
    headers: {
      'user-agent': 'Mozilla/5.0',
      referer: 'https://news.example/article?id=3',
      'cloudfront-viewer-country': 'de',
      'cloudfront-is-mobile-viewer': 'true',
      'cloudfront-viewer-address': '198.51.100.7:51234',
      'x-forwarded-host': 'Track.Example.com',
    },
    sourceIp: '130.176.1.1',
  };

  it('records the click with the traffic source mapping and viewer headers', () => {
    const { click } = recordVisit(bundle, request, options);
    expect(click).toEqual({
      clickId: options.clickId,
      campaignId: 'c1',
      pathIndex: 0,
      offerId: 'o1',
      clickedThroughAt: '2026-11-24T10:00:00.000Z',
      trafficSourceId: 'ts1',
      clickedAt: '2026-11-24T10:00:00.000Z',
      expiresAt: now.getTime() / 1000 + 3600,
      ip: '198.51.100.7',
      userAgent: 'Mozilla/5.0',
      referrer: 'https://news.example/article?id=3',
      country: 'DE',
      device: 'mobile',
      trackingDomain: 'track.example.com',
      externalId: 'ext 1',
      cost: 0.015,
      vars: { var1: 'z&9', var2: 'cr2' },
    });
  });

  it('fills every token of the offer URL, URL-encoded, and leaves unknown ones', () => {
    const { location } = recordVisit(bundle, request, options);
    const query = new URL(location).searchParams;
    expect(Object.fromEntries(query)).toEqual({
      cid: options.clickId,
      c: 'c1',
      cn: 'Summer push',
      o: 'Offer One',
      ts: 'Push Network',
      ext: 'ext 1',
      cost: '0.015',
      v1: 'z&9',
      zone: 'z&9',
      v3: '',
      cc: 'DE',
      dev: 'mobile',
      ip: '198.51.100.7',
      ua: 'Mozilla/5.0',
      ref: 'news.example',
      dom: 'track.example.com',
      x: '{unknown}',
    });
  });

  it('uses the default parameter names without a traffic source', () => {
    const { click } = recordVisit(
      { ...bundle, trafficSource: undefined },
      { query: { externalid: 'e', cost: '2', var10: 'ten' }, headers: {}, sourceIp: '192.0.2.1' },
      options,
    );
    expect(click).toMatchObject({ externalId: 'e', cost: 2, vars: { var10: 'ten' }, ip: '192.0.2.1' });
    expect(click.trafficSourceId).toBeUndefined();
  });

  it('drops malformed viewer values and bounds long ones', () => {
    const { click } = recordVisit(
      bundle,
      {
        query: { cpc: '-1', zone: 'z'.repeat(5000) },
        headers: { 'cloudfront-viewer-country': 'XYZ', 'user-agent': 'u'.repeat(5000), 'x-forwarded-host': 'evil host/' },
        sourceIp: '192.0.2.1',
      },
      options,
    );
    expect(click.cost).toBeUndefined();
    expect(click.country).toBeUndefined();
    expect(click.trackingDomain).toBeUndefined();
    expect(click.vars?.var1).toHaveLength(256);
    expect(click.userAgent).toHaveLength(1024);
  });

  it('never redirects to another host, whatever the tokens hold', () => {
    const unsafe = { ...bundle, offers: { o1: { ...bundle.offers.o1, url: 'https://{var1}/landing' } } };
    expect(() =>
      recordVisit(unsafe, { query: { zone: 'evil.example' }, headers: {}, sourceIp: '192.0.2.1' }, options),
    ).toThrow(UnsafeRedirectError);
  });
});

describe('viewerIp', () => {
  it('reads IPv4 and IPv6 viewer addresses from CloudFront and falls back to the source IP', () => {
    expect(viewerIp({ 'cloudfront-viewer-address': '2001:db8::1:443' }, '1.1.1.1')).toBe('2001:db8::1');
    expect(viewerIp({ 'cloudfront-viewer-address': 'garbage' }, '1.1.1.1')).toBe('1.1.1.1');
    expect(viewerIp({}, '1.1.1.1')).toBe('1.1.1.1');
  });
});

describe('landers, tokens and cost models', () => {
  const landerBundle: CampaignBundle = {
    campaign: {
      id: 'c2',
      name: 'Lander campaign',
      costModel: { type: 'cpm', value: 2 },
      defaultPath: { landers: [{ id: 'l1' }], offers: [{ id: 'o1' }] },
    },
    offers: { o1: { id: 'o1', name: 'Offer', url: 'https://offer.example/?c={clickid}' } },
    landers: { l1: { id: 'l1', name: 'Quiz', url: 'https://lander.example/quiz?cid={clickid}&l={lander.id}&os={os}&b={browser}&cost={cost}' } },
  };
  const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';

  it('sends a lander campaign to the lander with OS, browser and lander tokens, and no offer yet', () => {
    const { click, location } = recordVisit(landerBundle, { query: {}, headers: { 'user-agent': android }, sourceIp: '192.0.2.1' }, options);
    expect(click).toMatchObject({ landerId: 'l1', pathIndex: 0, os: 'Android', browser: 'Chrome', cost: 0.002 });
    expect(click.offerId).toBeUndefined();
    expect(click.clickedThroughAt).toBeUndefined();
    expect(Object.fromEntries(new URL(location).searchParams)).toEqual({ cid: options.clickId, l: 'l1', os: 'Android', b: 'Chrome', cost: '0.002' });
  });

  it('prices clicks by the cost model', () => {
    const priced = (costModel: CampaignBundle['campaign']['costModel']) =>
      recordVisit({ ...bundle, campaign: { ...bundle.campaign, costModel } }, { query: { cpc: '0.5' }, headers: {}, sourceIp: '192.0.2.1' }, options).click.cost;
    expect(priced(undefined)).toBe(0.5);
    expect(priced({ type: 'auto' })).toBe(0.5);
    expect(priced({ type: 'cpc', value: 0.1 })).toBe(0.1);
    expect(priced({ type: 'none' })).toBeUndefined();
  });
});
