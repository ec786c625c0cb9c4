import { ConfigError, validateCampaign, validateOffer, validateTrafficSource } from '../../lambda/domain/config';

describe('config validation', () => {
  const offer = { id: 'o1', name: 'Offer', url: 'https://offer.example/?s={clickid}' };

  it('accepts a well-formed offer, campaign and traffic source', () => {
    expect(validateOffer(offer)).toBe(offer);
    expect(validateCampaign({ id: 'c-1', name: 'C', offerId: 'o1' })).toBeTruthy();
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

  it('names the field that is wrong', () => {
    expect(() => validateOffer({ ...offer, id: 'has space' })).toThrow('offer.id');
    expect(() => validateOffer({ ...offer, currency: 'usd' })).toThrow('offer.currency');
    expect(() => validateCampaign({ id: 'c', name: '', offerId: 'o1' })).toThrow('campaign.name');
    expect(() => validateTrafficSource({ id: 't', name: 'T', parameters: { vars: Array(11).fill('v') } })).toThrow(
      'at most 10',
    );
  });
});
