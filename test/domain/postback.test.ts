import { AffiliateNetwork } from '../../lambda/domain/config';
import { Conversion, attributeConversion, checkNetworkAccess, conversionKey, isRefusal, parsePostback, statusChange } from '../../lambda/domain/postback';
import { Click } from '../../lambda/domain/visit';

const CID = '3b0qbej7chv6f5278jttkgnnvd';

describe('parsePostback', () => {
  it('accepts Voluum fields and normalizes them', () => {
    expect(parsePostback({ cid: CID.toUpperCase(), payout: '12.50', txid: 'tx-1', et: 'sale', currency: 'eur' })).toEqual({
      clickId: CID,
      payout: 12.5,
      txid: 'tx-1',
      eventType: 'sale',
      currency: 'EUR',
    });
  });

  it('needs only cid', () => {
    expect(parsePostback({ cid: CID })).toEqual({ clickId: CID });
  });

  it('reads the network secret', () => {
    expect(parsePostback({ cid: CID, secret: 's3cr3t' })).toMatchObject({ secret: 's3cr3t' });
  });

  it('accepts negative payouts for chargebacks', () => {
    expect(parsePostback({ cid: CID, payout: '-3.2' })).toMatchObject({ payout: -3.2 });
  });

  it.each(['OPTIONAL', '{payout}', '[amount]', '#sum#', '', '  '])('treats an unfilled macro %j as absent', (macro) => {
    expect(parsePostback({ cid: CID, payout: macro, txid: macro, et: macro, currency: macro })).toEqual({ clickId: CID });
  });

  it.each([
    [{}, 'cid is required'],
    [{ cid: 'REPLACE' }, 'cid is required'],
    [{ cid: 'x'.repeat(65) }, 'cid must be at most 64 printable characters'],
    [{ cid: CID, payout: '1,5' }, 'payout must be a decimal number'],
    [{ cid: CID, payout: '1e9' }, 'payout must be a decimal number'],
    [{ cid: CID, currency: 'EURO' }, 'currency must be a three-letter ISO 4217 code'],
    [{ cid: CID, txid: 'a'.repeat(129) }, 'txid must be at most 128 printable characters'],
    [{ cid: CID, et: 'sale\r\nX: y' }, 'et must be at most 64 printable characters'],
  ])('refuses %j as invalid', (fields, message) => {
    const result = parsePostback(fields);
    expect(isRefusal(result) && result.reason).toBe('invalid');
    expect(isRefusal(result) && result.message).toContain(message);
  });

  it('calls a well-formed cid of another format an unknown click, not bad input', () => {
    expect(parsePostback({ cid: 'voluum-legacy-click-id' })).toMatchObject({ reason: 'unknown-click' });
  });
});

describe('conversionKey', () => {
  it('is the same for the same event type and txid, and differs otherwise', () => {
    expect(conversionKey({ txid: 'a' })).toBe(conversionKey({ txid: 'a' }));
    expect(conversionKey({ txid: 'a' })).not.toBe(conversionKey({ txid: 'b' }));
    expect(conversionKey({ txid: 'a' })).not.toBe(conversionKey({ txid: 'a', eventType: 'upsell' }));
    expect(conversionKey({})).toBe(conversionKey({ txid: undefined, eventType: undefined }));
  });

  it('cannot be forged by a separator inside a field', () => {
    expect(conversionKey({ eventType: 'a#b', txid: 'c' })).not.toBe(conversionKey({ eventType: 'a', txid: 'b#c' }));
  });
});

describe('attributeConversion', () => {
  const clickedAt = new Date('2026-11-01T00:00:00Z');
  const click: Click = {
    clickId: CID,
    campaignId: 'c1',
    offerId: 'o1',
    trafficSourceId: 'ts1',
    clickedAt: clickedAt.toISOString(),
    expiresAt: clickedAt.getTime() / 1000 + 7 * 86400,
    ip: '203.0.113.9',
    externalId: 'ext-9',
    country: 'DE',
  };
  const offer = { id: 'o1', name: 'Offer', url: 'https://o.example/', payout: 4, currency: 'USD' };

  it('credits the postback payout, or the offer payout when the postback has none', () => {
    const now = new Date('2026-11-02T00:00:00Z');
    expect(attributeConversion(click, { clickId: CID, payout: 9 }, offer, undefined, now, 'r1')).toMatchObject({ payout: 9, currency: 'USD' });
    expect(attributeConversion(click, { clickId: CID }, offer, undefined, now, 'r1')).toMatchObject({
      payout: 4,
      campaignId: 'c1',
      externalId: 'ext-9',
      clickedAt: click.clickedAt,
      convertedAt: now.toISOString(),
    });
    expect(attributeConversion(click, { clickId: CID }, undefined, undefined, now, 'r1')).toMatchObject({ payout: 0 });
  });

  it('refuses a click past its window, even if DynamoDB TTL has not deleted it yet', () => {
    const justInside = new Date(click.expiresAt * 1000 - 1);
    const atExpiry = new Date(click.expiresAt * 1000);
    expect(isRefusal(attributeConversion(click, { clickId: CID }, offer, undefined, justInside, 'r1'))).toBe(false);
    expect(attributeConversion(click, { clickId: CID }, offer, undefined, atExpiry, 'r1')).toMatchObject({ reason: 'expired-click' });
  });
});

describe('duplicate policies', () => {
  const network = (duplicatePolicy: AffiliateNetwork['duplicatePolicy']): AffiliateNetwork => ({ id: 'n', name: 'N', duplicatePolicy });

  it('reject-duplicates (default): one per cid + txid + et, a new txid is an upsell', () => {
    for (const policy of [undefined, network('reject-duplicates')]) {
      expect(conversionKey({ txid: 'a' }, policy)).toBe(conversionKey({ txid: 'a' }, policy));
      expect(conversionKey({ txid: 'a' }, policy)).not.toBe(conversionKey({ txid: 'b' }, policy));
    }
  });

  it('no-upsells: one per click and event type, whatever the txid', () => {
    const policy = network('no-upsells');
    expect(conversionKey({ txid: 'a' }, policy)).toBe(conversionKey({ txid: 'b' }, policy));
    expect(conversionKey({ txid: 'a' }, policy)).not.toBe(conversionKey({ txid: 'a', eventType: 'upsell' }, policy));
  });

  it('accept-duplicates: every postback request is its own conversion', () => {
    const policy = network('accept-duplicates');
    expect(conversionKey({ txid: 'a' }, policy, 'req-1')).not.toBe(conversionKey({ txid: 'a' }, policy, 'req-2'));
    expect(conversionKey({ txid: 'a' }, policy, 'req-1')).toBe(conversionKey({ txid: 'a' }, policy, 'req-1'));
  });

  it('puts the statuses of one txid in one conversion, apart from event types of their own', () => {
    const policy: AffiliateNetwork = {
      id: 'n',
      name: 'N',
      eventTypes: { lead: { name: 'Lead', status: 'pending' }, sale: { name: 'Sale', status: 'approved' }, dep: { name: 'Deposit' } },
    };
    expect(conversionKey({ txid: 'a', eventType: 'lead' }, policy)).toBe(conversionKey({ txid: 'a', eventType: 'sale' }, policy));
    expect(conversionKey({ txid: 'a', eventType: 'lead' }, policy)).not.toBe(conversionKey({ txid: 'b', eventType: 'sale' }, policy));
    expect(conversionKey({ txid: 'a', eventType: 'dep' }, policy)).not.toBe(conversionKey({ txid: 'a', eventType: 'sale' }, policy));
    // An event type literally named like the status slot cannot join it.
    expect(conversionKey({ txid: 'a', eventType: '#status' }, policy)).not.toBe(conversionKey({ txid: 'a', eventType: 'sale' }, policy));
  });
});

describe('statusChange', () => {
  const base = { clickId: CID, conversionKey: '#status#a', eventName: 'Sale', payout: 10, status: 'approved', version: 2 } as Conversion;
  const incoming = (status: Conversion['status']) => ({ ...base, status, eventName: String(status), updatedAt: 'later' }) as Conversion;

  it('is a duplicate for the same status', () => {
    expect(statusChange(base, incoming('approved'), { clickId: CID, payout: 10 })).toBe('duplicate');
  });

  it('replaces the payout on a move, and keeps it when the postback has none', () => {
    const lead = { ...base, status: 'pending', payout: 1 } as Conversion;
    expect(statusChange(lead, incoming('approved'), { clickId: CID, payout: 25 })).toMatchObject({ status: 'approved', payout: 25 });
    expect(statusChange(lead, incoming('approved'), { clickId: CID })).toMatchObject({ payout: 1 });
  });

  it('takes revenue back on a reversal: to 0, or by a negative payout', () => {
    expect(statusChange(base, incoming('rejected'), { clickId: CID })).toMatchObject({ status: 'rejected', payout: 0 });
    expect(statusChange(base, incoming('chargeback'), { clickId: CID, payout: -4 })).toMatchObject({ payout: 6 });
    expect(statusChange(base, incoming('chargeback'), { clickId: CID, payout: -10 })).toMatchObject({ payout: 0 });
  });
});

describe('checkNetworkAccess', () => {
  const network: AffiliateNetwork = { id: 'n', name: 'N', ipWhitelist: ['203.0.113.0/24', '2001:db8::/32'], postbackSecret: 'a-long-shared-secret' };
  const ok = { clickId: CID, secret: 'a-long-shared-secret' };

  it('lets whitelisted addresses with the secret in', () => {
    expect(checkNetworkAccess(network, ok, '203.0.113.77')).toBeUndefined();
    expect(checkNetworkAccess(network, ok, '::ffff:203.0.113.77')).toBeUndefined();
    expect(checkNetworkAccess(network, ok, '2001:db8::5')).toBeUndefined();
    expect(checkNetworkAccess(undefined, { clickId: CID }, '198.51.100.1')).toBeUndefined();
  });

  it('refuses other addresses and a missing or wrong secret', () => {
    expect(checkNetworkAccess(network, ok, '198.51.100.1')).toMatchObject({ reason: 'forbidden' });
    expect(checkNetworkAccess(network, ok, 'not-an-ip')).toMatchObject({ reason: 'forbidden' });
    expect(checkNetworkAccess(network, { clickId: CID }, '203.0.113.77')).toMatchObject({ reason: 'forbidden', message: 'secret is missing or wrong' });
    expect(checkNetworkAccess(network, { ...ok, secret: 'a-long-shared-secreT' }, '203.0.113.77')).toMatchObject({ reason: 'forbidden' });
  });
});
