import { ConfigError, validateCampaign, validateNetwork, validateOffer, validateTrafficSource } from '../../lambda/domain/config';

describe('config validation', () => {
  const offer = { id: 'o1', name: 'Offer', url: 'https://offer.example/?s={clickid}' };

  it('accepts a well-formed offer, campaign and traffic source', () => {
    expect(validateOffer(offer)).toBe(offer);
    expect(validateCampaign({ id: 'c-1', name: 'C', defaultPath: { offers: [{ id: 'o1' }] } })).toBeTruthy();
    expect(validateTrafficSource({ id: 't', name: 'T', parameters: { externalId: 'cid', vars: ['zone'] } })).toBeTruthy();
  });

  it.each([
    ['https://{var1}.example/', 'must not have tokens in its host'],
    ['//offer.example/', 'must be an absolute URL'],
    ['javascript:alert(1)', 'must be an http(s) URL'],
    ['ftp://offer.example/', 'must be an http(s) URL'],
    ['https://offer.example/\r\nx', 'must not contain control characters'],
  ])('refuses the offer URL %j', (url, message) => {
    expect(() => validateOffer({ ...offer, url })).toThrow(new ConfigError(`offer.url ${message}`));
  });

  it('refuses unknown fields, naming them, at every level of a campaign', () => {
    const rulePath = { name: 'US', rules: [{ field: 'country' as const, values: ['US'] }], path: { offers: [{ id: 'o1' }] } };
    const campaign = { id: 'c', name: 'C', defaultPath: { offers: [{ id: 'o1' }] }, rulePaths: [rulePath] };
    expect(validateCampaign(campaign)).toBe(campaign);
    expect(() => validateCampaign({ ...campaign, trafficSource: 'push' } as never)).toThrow('campaign has unknown field trafficSource; known are id, name, trafficSourceId');
    expect(() => validateCampaign({ ...campaign, rulePaths: [{ ...rulePath, weight: 1 }] } as never)).toThrow('campaign.rulePaths[0] has unknown field weight');
    expect(() => validateCampaign({ ...campaign, rulePaths: [{ ...rulePath, rules: [{ field: 'country', values: ['US'], negate: true }] }] } as never)).toThrow(
      'campaign.rulePaths[0].rules[0] has unknown field negate',
    );
    expect(() => validateCampaign({ ...campaign, defaultPath: { offers: [{ id: 'o1' }], lander: [{ id: 'l' }] } } as never)).toThrow(
      'campaign.defaultPath has unknown field lander',
    );
    expect(() => validateOffer({ ...offer, payot: 1, curency: 'USD' } as never)).toThrow('offer has unknown fields payot, curency');
  });

  it('names the field that is wrong', () => {
    expect(() => validateOffer({ ...offer, id: 'has space' })).toThrow('offer.id');
    expect(() => validateOffer({ ...offer, currency: 'usd' })).toThrow('offer.currency');
    expect(() => validateCampaign({ id: 'c', name: '', defaultPath: { offers: [{ id: 'o1' }] } })).toThrow('campaign.name');
    expect(() => validateTrafficSource({ id: 't', name: 'T', parameters: { vars: Array(11).fill('v') } })).toThrow(
      'at most 10',
    );
  });

  it('validates networks: policy, CIDR whitelist, secret strength, event statuses', () => {
    const network = { id: 'n', name: 'N', duplicatePolicy: 'no-upsells' as const, ipWhitelist: ['10.0.0.0/8', '2001:db8::1'], postbackSecret: 'x'.repeat(16), eventTypes: { sale: { name: 'Sale', status: 'approved' as const } } };
    expect(validateNetwork(network)).toBe(network);
    expect(() => validateNetwork({ ...network, ipWhitelist: ['10.0.0.0/33'] })).toThrow("network.ipWhitelist entry '10.0.0.0/33'");
    expect(() => validateNetwork({ ...network, postbackSecret: 'short' })).toThrow('network.postbackSecret');
    expect(() => validateNetwork({ ...network, duplicatePolicy: 'sometimes' as never })).toThrow('network.duplicatePolicy');
    expect(() => validateNetwork({ ...network, eventTypes: { sale: { name: 'Sale', status: 'won' as never } } })).toThrow('network.eventTypes.sale.status');
  });
});
