import {
  AffiliateNetwork,
  Campaign,
  ConfigError,
  DEFAULT_PARAMETERS,
  ID_PATTERN,
  campaignReferences,
  validateCampaign,
  validateLander,
  validateNetwork,
  validateOffer,
  validateTrafficSource,
} from './config';
import type { ConfigEntity, EntityOf, EntityType, TrackerStore } from '../store/tracker-store';

/** The management API's collections and the entity type each holds. */
export const COLLECTIONS: Readonly<Record<string, EntityType>> = {
  campaigns: 'campaign',
  offers: 'offer',
  landers: 'lander',
  'traffic-sources': 'trafficSource',
  networks: 'network',
};

const VALIDATORS: { [T in EntityType]: (value: EntityOf<T>) => EntityOf<T> } = {
  campaign: validateCampaign,
  offer: validateOffer,
  lander: validateLander,
  trafficSource: validateTrafficSource,
  network: validateNetwork,
};

export class NotFound extends Error {}
export class Conflict extends Error {}

export interface CampaignUrls {
  readonly campaignUrl: string;
  readonly landerClickUrls: readonly string[];
  readonly postbackUrls: readonly { readonly networkId: string | null; readonly name: string; readonly url: string }[];
}

/**
 * Config changes with validation and referential checks: nothing may refer to what does not
 * exist, and nothing that is referred to may be deleted.
 */
export class ConfigService {
  constructor(private readonly store: TrackerStore) {}

  list<T extends EntityType>(entityType: T): Promise<EntityOf<T>[]> {
    return this.store.listConfig(entityType);
  }

  async get<T extends EntityType>(entityType: T, id: string): Promise<EntityOf<T>> {
    const value = ID_PATTERN.test(id) ? await this.store.getConfig(entityType, id) : undefined;
    if (!value) throw new NotFound(`${entityType} ${id} does not exist`);
    return value;
  }

  /** @param mode `create` refuses an existing id; `put` creates or replaces. */
  async save<T extends EntityType>(entityType: T, body: unknown, mode: 'create' | 'put'): Promise<EntityOf<T>> {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ConfigError(`a ${entityType} must be a JSON object`);
    let value: EntityOf<T>;
    try {
      value = (VALIDATORS[entityType] as (value: unknown) => EntityOf<T>)(body);
    } catch (caught) {
      // A field of the wrong shape (a string where a list belongs) trips the validator itself.
      if (caught instanceof TypeError) throw new ConfigError(`${entityType} has a field of the wrong type`);
      throw caught;
    }
    if (mode === 'create' && (await this.store.getConfig(entityType, value.id))) {
      throw new Conflict(`${entityType} ${value.id} exists already`);
    }
    const missing = await this.missingReferences({ entityType, value } as ConfigEntity);
    if (missing.length > 0) throw new ConfigError(`${entityType}.${missing.join(', ')}`);
    await this.store.putConfig({ entityType, value } as ConfigEntity);
    return value;
  }

  async delete(entityType: EntityType, id: string): Promise<void> {
    await this.get(entityType, id);
    const referrers = await this.referrersOf(entityType, id);
    if (referrers.length > 0) throw new Conflict(`${entityType} ${id} is used by ${referrers.join(', ')}`);
    await this.store.deleteConfig(entityType, id);
  }

  /** The URLs to paste: into the traffic source, into landers, into each network. */
  async urls(campaignId: string, baseUrl: string): Promise<CampaignUrls> {
    const campaign = await this.get('campaign', campaignId);
    const source = campaign.trafficSourceId ? await this.store.getConfig('trafficSource', campaign.trafficSourceId) : undefined;
    const parameters = { ...DEFAULT_PARAMETERS, ...source?.parameters };
    const query = [
      `${parameters.externalId}={externalid}`,
      `${parameters.cost}={cost}`,
      ...parameters.vars.map((name, i) => `${name}={var${i + 1}}`),
    ];
    const references = campaignReferences(campaign);
    const landers = await Promise.all(references.landers.map((id) => this.store.getConfig('lander', id)));
    const maxOffers = Math.max(0, ...landers.map((lander) => lander?.offerCount ?? 1));
    const offers = await Promise.all(references.offers.map((id) => this.store.getConfig('offer', id)));
    const networkIds = [...new Set(offers.map((offer) => offer?.networkId).filter((id): id is string => !!id))];
    const networks = (await Promise.all(networkIds.map((id) => this.store.getConfig('network', id)))).filter(
      (network): network is AffiliateNetwork => !!network,
    );
    const postbackUrl = (network?: AffiliateNetwork) =>
      `${baseUrl}/postback?cid=REPLACE&payout=OPTIONAL&txid=OPTIONAL` +
      (network?.eventTypes ? '&et=OPTIONAL' : '') +
      (network?.postbackSecret ? `&secret=${encodeURIComponent(network.postbackSecret)}` : '');
    return {
      campaignUrl: `${baseUrl}/c/${campaign.id}?${query.join('&')}`,
      landerClickUrls: maxOffers === 0 ? [] : [`${baseUrl}/click`, ...Array.from({ length: maxOffers > 1 ? maxOffers : 0 }, (_, i) => `${baseUrl}/click/${i + 1}`)],
      postbackUrls:
        networks.length > 0
          ? networks.map((network) => ({ networkId: network.id, name: network.name, url: postbackUrl(network) }))
          : [{ networkId: null, name: 'any network', url: postbackUrl() }],
    };
  }

  /** Field names (for the error) of references to entities that do not exist. */
  private async missingReferences(entity: ConfigEntity): Promise<string[]> {
    const wanted: [string, EntityType, string | undefined][] = [];
    if (entity.entityType === 'campaign') {
      const references = campaignReferences(entity.value);
      wanted.push(['trafficSourceId', 'trafficSource', entity.value.trafficSourceId]);
      wanted.push(...references.offers.map((id) => ['paths offer', 'offer', id] as [string, EntityType, string]));
      wanted.push(...references.landers.map((id) => ['paths lander', 'lander', id] as [string, EntityType, string]));
    }
    if (entity.entityType === 'offer') wanted.push(['networkId', 'network', entity.value.networkId]);
    const found = await Promise.all(wanted.map(([, type, id]) => (id ? this.store.getConfig(type, id) : true)));
    return wanted.filter((_, i) => !found[i]).map(([field, type, id]) => `${field} refers to ${type} ${id}, which does not exist`);
  }

  private async referrersOf(entityType: EntityType, id: string): Promise<string[]> {
    if (entityType === 'network') {
      return (await this.store.listConfig('offer')).filter((offer) => offer.networkId === id).map((offer) => `offer ${offer.id}`);
    }
    if (entityType === 'campaign') return [];
    const uses = (campaign: Campaign) => {
      if (entityType === 'trafficSource') return campaign.trafficSourceId === id;
      const references = campaignReferences(campaign);
      return (entityType === 'offer' ? references.offers : references.landers).includes(id);
    };
    return (await this.store.listConfig('campaign')).filter(uses).map((campaign) => `campaign ${campaign.id}`);
  }
}
