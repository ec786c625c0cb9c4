import { soak } from '../../soak/soak';

/** `npm run soak` in small: the same engine, a few hundred events, the same verdict. */
describe('soak (smoke)', () => {
  it('redirects every visitor and counts every conversion once while DynamoDB fails 5% of calls', async () => {
    const report = await soak({ clicks: 300, postbacks: 300, faultRate: 0.05 });
    expect(report.faultsInjected).toBeGreaterThan(0);
    expect(report).toMatchObject({
      redirected: 300,
      postbacksSent: 300,
      duplicatesSent: 90,
      conversionsExpected: 210,
      conversionsCounted: 210,
      lost: 0,
      doubleCounted: 0,
      raw: { visits: 300, clicks: 300, conversions: 210, revenue: 315 },
    });
    expect(report.reported).toEqual(report.raw);
  });
});
