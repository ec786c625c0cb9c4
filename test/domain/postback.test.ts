import { attributeConversion, conversionKey, isRefusal, parsePostback } from '../../lambda/domain/postback';
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
    expect(attributeConversion(click, { clickId: CID, payout: 9 }, offer, now)).toMatchObject({ payout: 9, currency: 'USD' });
    expect(attributeConversion(click, { clickId: CID }, offer, now)).toMatchObject({
      payout: 4,
      campaignId: 'c1',
      externalId: 'ext-9',
      clickedAt: click.clickedAt,
      convertedAt: now.toISOString(),
    });
    expect(attributeConversion(click, { clickId: CID }, undefined, now)).toMatchObject({ payout: 0 });
  });

  it('refuses a click past its window, even if DynamoDB TTL has not deleted it yet', () => {
    const justInside = new Date(click.expiresAt * 1000 - 1);
    const atExpiry = new Date(click.expiresAt * 1000);
    expect(isRefusal(attributeConversion(click, { clickId: CID }, offer, justInside))).toBe(false);
    expect(attributeConversion(click, { clickId: CID }, offer, atExpiry)).toMatchObject({ reason: 'expired-click' });
  });
});
