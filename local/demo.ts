import { validateCampaign, validateOffer, validateTrafficSource } from '../lambda/domain/config';
import { TrackerStore } from '../lambda/store/tracker-store';

export const DEMO_CAMPAIGN_ID = 'demo';

/**
 * A campaign to click right away: traffic from a source that sends its click ID as `clickid`,
 * its cost as `cost` and its zone as `zone` (var1), to an offer that receives our click ID.
 */
export async function seedDemoCampaign(store: TrackerStore): Promise<void> {
  await store.putConfig({
    entityType: 'trafficSource',
    value: validateTrafficSource({
      id: 'demo-source',
      name: 'Demo traffic source',
      parameters: { externalId: 'clickid', cost: 'cost', vars: ['zone', 'creative'] },
    }),
  });
  await store.putConfig({
    entityType: 'offer',
    value: validateOffer({
      id: 'demo-offer',
      name: 'Demo offer',
      url: 'https://offer.example.com/landing?sub1={clickid}&sub2={campaign.id}&sub3={var:zone}',
      payout: 2.5,
      currency: 'USD',
    }),
  });
  await store.putConfig({
    entityType: 'campaign',
    value: validateCampaign({
      id: DEMO_CAMPAIGN_ID,
      name: 'Demo campaign',
      trafficSourceId: 'demo-source',
      defaultPath: { offers: [{ id: 'demo-offer' }] },
    }),
  });
}
