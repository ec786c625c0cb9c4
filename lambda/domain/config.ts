import { isCidr } from './ip-ranges';

/**
 * The tracker's configuration entities and their validation. Validation happens when config is
 * written (seed, management API), so the click hot path can trust what it reads.
 */
export interface Offer {
  readonly id: string;
  readonly name: string;
  /** Absolute http(s) URL; tokens allowed in the path and query, never in the host. */
  readonly url: string;
  /** Payout credited when the network's postback carries none. */
  readonly payout?: number;
  readonly currency?: string;
  /** The affiliate network whose postbacks convert this offer's clicks. */
  readonly networkId?: string;
}

/**
 * How repeated postbacks of one click count:
 * - `reject-duplicates`: same cid + txid + et once; a new txid is a new conversion (upsell)
 * - `no-upsells`: one conversion per click and event type, whatever the txid
 * - `accept-duplicates`: every postback is a conversion
 */
export type DuplicatePolicy = 'reject-duplicates' | 'no-upsells' | 'accept-duplicates';

/** Statuses a conversion moves between; the reversing ones take its revenue back. */
export type ConversionStatus = 'pending' | 'approved' | 'rejected' | 'chargeback';
export const REVERSING_STATUSES: ReadonlySet<ConversionStatus> = new Set(['rejected', 'chargeback']);
const STATUSES: ReadonlySet<string> = new Set(['pending', 'approved', 'rejected', 'chargeback']);

export interface EventType {
  /** Name in reports, e.g. "Deposit". */
  readonly name: string;
  /**
   * Set for events that are a status of one conversion (lead → sale → chargeback, same txid)
   * rather than a conversion of their own.
   */
  readonly status?: ConversionStatus;
}

export interface AffiliateNetwork {
  readonly id: string;
  readonly name: string;
  /** @default 'reject-duplicates' */
  readonly duplicatePolicy?: DuplicatePolicy;
  /** CIDR ranges (IPv4 or IPv6) the network's postbacks come from. @default - any address */
  readonly ipWhitelist?: readonly string[];
  /** A value the network must send as `secret=` on every postback. @default - none */
  readonly postbackSecret?: string;
  /** What each `et` value means. @default - every `et` is a conversion type of its own, named as sent */
  readonly eventTypes?: Readonly<Record<string, EventType>>;
}

/** Which query parameters of the campaign URL carry the traffic source's values. */
export interface ParameterMapping {
  /** The traffic source's own click ID, echoed back in its postback as `{externalid}`. */
  readonly externalId?: string;
  readonly cost?: string;
  /** Parameter names for var1..var10, in order. */
  readonly vars?: readonly string[];
}

export interface TrafficSource {
  readonly id: string;
  readonly name: string;
  readonly parameters: ParameterMapping;
}

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly offerId: string;
  readonly trafficSourceId?: string;
}

/** Everything a visit to one campaign needs, resolved once and cached. */
export interface CampaignBundle {
  readonly campaign: Campaign;
  readonly offer: Offer;
  readonly trafficSource?: TrafficSource;
}

/** Used when a campaign has no traffic source: `?externalid=&cost=&var1=...&var10=`. */
export const DEFAULT_PARAMETERS: Required<ParameterMapping> = {
  externalId: 'externalid',
  cost: 'cost',
  vars: Array.from({ length: 10 }, (_, i) => `var${i + 1}`),
};

export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const CURRENCY_PATTERN = /^[A-Z]{3}$/;

export class ConfigError extends Error {}

function check(condition: boolean, message: string): void {
  if (!condition) throw new ConfigError(message);
}

function checkIdAndName(kind: string, entity: { id: string; name: string }): void {
  check(ID_PATTERN.test(entity.id), `${kind}.id must be 1-64 letters, digits, '_' or '-'`);
  check(typeof entity.name === 'string' && entity.name.length > 0 && entity.name.length <= 200, `${kind}.name must be 1-200 characters`);
}

/** Refuses URLs a token could turn into a redirect to somebody else's host. */
export function checkRedirectTemplate(field: string, template: string): void {
  let url: URL;
  try {
    url = new URL(template);
  } catch {
    throw new ConfigError(`${field} must be an absolute URL`);
  }
  check(url.protocol === 'https:' || url.protocol === 'http:', `${field} must be an http(s) URL`);
  check(!/[{}]|%7b|%7d/i.test(url.host), `${field} must not have tokens in its host`);
  check(!/[\u0000-\u001f\u007f]/.test(template), `${field} must not contain control characters`);
  check(template.length <= 2048, `${field} must be at most 2048 characters`);
}

export function validateOffer(offer: Offer): Offer {
  checkIdAndName('offer', offer);
  checkRedirectTemplate('offer.url', offer.url);
  check(offer.payout === undefined || Number.isFinite(offer.payout), 'offer.payout must be a number');
  check(offer.currency === undefined || CURRENCY_PATTERN.test(offer.currency), 'offer.currency must be an ISO 4217 code');
  check(offer.networkId === undefined || ID_PATTERN.test(offer.networkId), 'offer.networkId must be a network id');
  return offer;
}

export function validateTrafficSource(source: TrafficSource): TrafficSource {
  checkIdAndName('trafficSource', source);
  const { externalId, cost, vars = [] } = source.parameters ?? {};
  check(vars.length <= 10, 'trafficSource.parameters.vars holds at most 10 names');
  for (const name of [externalId, cost, ...vars]) {
    check(name === undefined || /^[A-Za-z0-9_.-]{1,64}$/.test(name), 'trafficSource.parameters names must be 1-64 URL-safe characters');
  }
  return source;
}

export function validateNetwork(network: AffiliateNetwork): AffiliateNetwork {
  checkIdAndName('network', network);
  const policies = ['reject-duplicates', 'no-upsells', 'accept-duplicates'];
  check(network.duplicatePolicy === undefined || policies.includes(network.duplicatePolicy), `network.duplicatePolicy must be one of ${policies.join(', ')}`);
  for (const range of network.ipWhitelist ?? []) {
    check(isCidr(range), `network.ipWhitelist entry '${range}' must be an IP address or CIDR range`);
  }
  check(
    network.postbackSecret === undefined || /^[\x21-\x7e]{16,128}$/.test(network.postbackSecret),
    'network.postbackSecret must be 16-128 printable characters',
  );
  for (const [et, type] of Object.entries(network.eventTypes ?? {})) {
    check(/^[\x21-\x7e]{1,64}$/.test(et), `network.eventTypes key '${et}' must be 1-64 printable characters`);
    check(typeof type.name === 'string' && type.name.length > 0 && type.name.length <= 100, `network.eventTypes.${et}.name must be 1-100 characters`);
    check(type.status === undefined || STATUSES.has(type.status), `network.eventTypes.${et}.status must be one of ${[...STATUSES].join(', ')}`);
  }
  return network;
}

export function validateCampaign(campaign: Campaign): Campaign {
  checkIdAndName('campaign', campaign);
  check(ID_PATTERN.test(campaign.offerId), 'campaign.offerId must be an offer id');
  check(campaign.trafficSourceId === undefined || ID_PATTERN.test(campaign.trafficSourceId), 'campaign.trafficSourceId must be a traffic source id');
  return campaign;
}
