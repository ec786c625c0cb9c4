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
  /** The affiliate network whose postbacks convert this offer's clicks. */
  readonly networkId?: string;
  /** Payout credited when the postback carries none, or always with `payoutMode: 'fixed'`. */
  readonly payout?: number;
  /** `auto`: the postback's payout wins; `fixed`: always `payout`. @default 'auto' */
  readonly payoutMode?: 'auto' | 'fixed';
  readonly currency?: string;
}

export interface Lander {
  readonly id: string;
  readonly name: string;
  /** Absolute http(s) URL with tokens; its links go to `https://<tracking domain>/click` (or `/click/<n>`). */
  readonly url: string;
  /** How many offers the lander links to (`/click/1`…`/click/<n>`). @default 1 */
  readonly offerCount?: number;
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
  /**
   * Called once per new conversion, `{externalid}`, `{payout}`, `{txid}`, `{et}`, `{clickid}`
   * filled in. @default - the source is not told
   */
  readonly postbackUrl?: string;
}

/** An item of a path, chosen with probability weight / sum of weights. */
export interface Weighted {
  readonly id: string;
  /** @default 100 */
  readonly weight?: number;
}

/** Where a visitor goes: a weighted lander then a weighted offer, or (no landers) straight to an offer. */
export interface Path {
  readonly landers?: readonly Weighted[];
  readonly offers: readonly Weighted[];
}

export type RuleField = 'country' | 'device' | 'os' | 'browser' | 'var';

/** Matches when the visitor's field is one of the values (case-insensitive). */
export interface Rule {
  readonly field: RuleField;
  /** With `field: 'var'`: var1…var10, or the traffic source's name for it. */
  readonly variable?: string;
  readonly values: readonly string[];
}

/** Taken when all its rules match; rule paths are tried in order, the default path last. */
export interface RulePath {
  readonly name: string;
  readonly rules: readonly Rule[];
  readonly path: Path;
}

/** What a visit costs: from the source's cost parameter (`auto`), per click, per thousand, or nothing. */
export type CostModel =
  | { readonly type: 'auto' }
  | { readonly type: 'cpc'; readonly value: number }
  | { readonly type: 'cpm'; readonly value: number }
  | { readonly type: 'none' };

/** `302`, or an HTML meta refresh (hides the tracker from the offer), or two (hides the referrer too). */
export type RedirectMode = '302' | 'meta-refresh' | 'double-meta-refresh';

export interface Campaign {
  readonly id: string;
  readonly name: string;
  readonly trafficSourceId?: string;
  /** @default { type: 'auto' } */
  readonly costModel?: CostModel;
  /** @default '302' */
  readonly redirectMode?: RedirectMode;
  readonly defaultPath: Path;
  readonly rulePaths?: readonly RulePath[];
}

/** Everything a visit to one campaign needs, resolved once and cached. */
export interface CampaignBundle {
  readonly campaign: Campaign;
  readonly trafficSource?: TrafficSource;
  readonly offers: Readonly<Record<string, Offer>>;
  readonly landers: Readonly<Record<string, Lander>>;
}

/** The ids a campaign refers to, for loading and for referential checks. */
export function campaignReferences(campaign: Campaign): { offers: string[]; landers: string[] } {
  const paths = [campaign.defaultPath, ...(campaign.rulePaths ?? []).map((rulePath) => rulePath.path)];
  const unique = (ids: string[]) => [...new Set(ids)];
  return {
    offers: unique(paths.flatMap((path) => path.offers.map((offer) => offer.id))),
    landers: unique(paths.flatMap((path) => (path.landers ?? []).map((lander) => lander.id))),
  };
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

/** Every field of `T`, no more, no fewer: a field added to a type must be added here to be accepted. */
function fieldsOf<T>(fields: Record<keyof T, true>): readonly string[] {
  return Object.keys(fields);
}

/** A misspelt field (`payot`) would otherwise be stored and silently do nothing. */
function checkKnownFields(field: string, value: object, known: readonly string[]): void {
  const unknown = Object.keys(value).filter((name) => !known.includes(name));
  check(unknown.length === 0, `${field} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known are ${known.join(', ')}`);
}

const OFFER_FIELDS = fieldsOf<Offer>({ id: true, name: true, url: true, networkId: true, payout: true, payoutMode: true, currency: true });
const LANDER_FIELDS = fieldsOf<Lander>({ id: true, name: true, url: true, offerCount: true });
const TRAFFIC_SOURCE_FIELDS = fieldsOf<TrafficSource>({ id: true, name: true, parameters: true, postbackUrl: true });
const PARAMETER_FIELDS = fieldsOf<ParameterMapping>({ externalId: true, cost: true, vars: true });
const NETWORK_FIELDS = fieldsOf<AffiliateNetwork>({ id: true, name: true, duplicatePolicy: true, ipWhitelist: true, postbackSecret: true, eventTypes: true });
const EVENT_TYPE_FIELDS = fieldsOf<EventType>({ name: true, status: true });
const CAMPAIGN_FIELDS = fieldsOf<Campaign>({ id: true, name: true, trafficSourceId: true, costModel: true, redirectMode: true, defaultPath: true, rulePaths: true });
const PATH_FIELDS = fieldsOf<Path>({ landers: true, offers: true });
const WEIGHTED_FIELDS = fieldsOf<Weighted>({ id: true, weight: true });
const RULE_PATH_FIELDS = fieldsOf<RulePath>({ name: true, rules: true, path: true });
const RULE_FIELD_NAMES = fieldsOf<Rule>({ field: true, variable: true, values: true });

function checkIdAndName(kind: string, entity: { id: string; name: string }): void {
  check(typeof entity.id === 'string' && ID_PATTERN.test(entity.id), `${kind}.id must be 1-64 letters, digits, '_' or '-'`);
  check(typeof entity.name === 'string' && entity.name.length > 0 && entity.name.length <= 200, `${kind}.name must be 1-200 characters`);
}

/** Refuses URLs a token could turn into a redirect to somebody else's host. */
function checkRedirectTemplate(field: string, template: string): void {
  check(typeof template === 'string', `${field} must be a URL`);
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
  checkKnownFields('offer', offer, OFFER_FIELDS);
  checkIdAndName('offer', offer);
  checkRedirectTemplate('offer.url', offer.url);
  check(offer.payout === undefined || Number.isFinite(offer.payout), 'offer.payout must be a number');
  check(offer.payoutMode === undefined || ['auto', 'fixed'].includes(offer.payoutMode), "offer.payoutMode must be 'auto' or 'fixed'");
  check(offer.payoutMode !== 'fixed' || offer.payout !== undefined, "offer.payout is required with payoutMode 'fixed'");
  check(offer.currency === undefined || CURRENCY_PATTERN.test(offer.currency), 'offer.currency must be an ISO 4217 code');
  check(offer.networkId === undefined || ID_PATTERN.test(offer.networkId), 'offer.networkId must be a network id');
  return offer;
}

export function validateLander(lander: Lander): Lander {
  checkKnownFields('lander', lander, LANDER_FIELDS);
  checkIdAndName('lander', lander);
  checkRedirectTemplate('lander.url', lander.url);
  check(
    lander.offerCount === undefined || (Number.isInteger(lander.offerCount) && lander.offerCount >= 1 && lander.offerCount <= 10),
    'lander.offerCount must be a whole number from 1 to 10',
  );
  return lander;
}

export function validateTrafficSource(source: TrafficSource): TrafficSource {
  checkKnownFields('trafficSource', source, TRAFFIC_SOURCE_FIELDS);
  checkIdAndName('trafficSource', source);
  checkKnownFields('trafficSource.parameters', source.parameters ?? {}, PARAMETER_FIELDS);
  const { externalId, cost, vars = [] } = source.parameters ?? {};
  check(vars.length <= 10, 'trafficSource.parameters.vars holds at most 10 names');
  for (const name of [externalId, cost, ...vars]) {
    check(name === undefined || /^[A-Za-z0-9_.-]{1,64}$/.test(name), 'trafficSource.parameters names must be 1-64 URL-safe characters');
  }
  if (source.postbackUrl !== undefined) checkRedirectTemplate('trafficSource.postbackUrl', source.postbackUrl);
  return source;
}

export function validateNetwork(network: AffiliateNetwork): AffiliateNetwork {
  checkKnownFields('network', network, NETWORK_FIELDS);
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
    check(typeof type === 'object' && type !== null, `network.eventTypes.${et} must be an object`);
    checkKnownFields(`network.eventTypes.${et}`, type, EVENT_TYPE_FIELDS);
    check(typeof type.name === 'string' && type.name.length > 0 && type.name.length <= 100, `network.eventTypes.${et}.name must be 1-100 characters`);
    check(type.status === undefined || STATUSES.has(type.status), `network.eventTypes.${et}.status must be one of ${[...STATUSES].join(', ')}`);
  }
  return network;
}

function checkWeighted(field: string, items: readonly Weighted[] | undefined, required: boolean): void {
  check(Array.isArray(items ?? []), `${field} must be a list`);
  check(!required || (items?.length ?? 0) > 0, `${field} needs at least one entry`);
  check((items?.length ?? 0) <= 20, `${field} holds at most 20 entries`);
  for (const [i, item] of (items ?? []).entries()) {
    check(typeof item === 'object' && item !== null, `${field}[${i}] must be { id, weight }`);
    checkKnownFields(`${field}[${i}]`, item, WEIGHTED_FIELDS);
    check(ID_PATTERN.test(item.id ?? ''), `${field}[${i}].id must be an id`);
    check(item.weight === undefined || (Number.isInteger(item.weight) && item.weight >= 0 && item.weight <= 1000), `${field}[${i}].weight must be a whole number from 0 to 1000`);
  }
  check(!items?.length || items.some((item) => (item.weight ?? 100) > 0), `${field} needs an entry with a weight above 0`);
}

function checkPath(field: string, path: Path | undefined): void {
  check(typeof path === 'object' && path !== null, `${field} is required`);
  checkKnownFields(field, path!, PATH_FIELDS);
  checkWeighted(`${field}.landers`, path!.landers, false);
  checkWeighted(`${field}.offers`, path!.offers, true);
}

const RULE_FIELDS: ReadonlySet<string> = new Set(['country', 'device', 'os', 'browser', 'var']);

export function validateCampaign(campaign: Campaign): Campaign {
  checkKnownFields('campaign', campaign, CAMPAIGN_FIELDS);
  checkIdAndName('campaign', campaign);
  check(campaign.trafficSourceId === undefined || ID_PATTERN.test(campaign.trafficSourceId), 'campaign.trafficSourceId must be a traffic source id');
  const cost = campaign.costModel;
  if (typeof cost === 'object' && cost !== null) checkKnownFields('campaign.costModel', cost, ['type', 'value']);
  check(
    cost === undefined ||
      cost.type === 'auto' ||
      cost.type === 'none' ||
      ((cost.type === 'cpc' || cost.type === 'cpm') && Number.isFinite(cost.value) && cost.value >= 0),
    "campaign.costModel must be { type: 'auto' | 'none' } or { type: 'cpc' | 'cpm', value: number >= 0 }",
  );
  check(
    campaign.redirectMode === undefined || ['302', 'meta-refresh', 'double-meta-refresh'].includes(campaign.redirectMode),
    "campaign.redirectMode must be '302', 'meta-refresh' or 'double-meta-refresh'",
  );
  checkPath('campaign.defaultPath', campaign.defaultPath);
  check((campaign.rulePaths ?? []).length <= 50, 'campaign.rulePaths holds at most 50 paths');
  for (const [i, rulePath] of (campaign.rulePaths ?? []).entries()) {
    const field = `campaign.rulePaths[${i}]`;
    check(typeof rulePath === 'object' && rulePath !== null, `${field} must be { name, rules, path }`);
    checkKnownFields(field, rulePath, RULE_PATH_FIELDS);
    check(typeof rulePath.name === 'string' && rulePath.name.length > 0 && rulePath.name.length <= 100, `${field}.name must be 1-100 characters`);
    check(Array.isArray(rulePath.rules) && rulePath.rules.length > 0, `${field}.rules needs at least one rule`);
    for (const [j, rule] of rulePath.rules.entries()) {
      check(typeof rule === 'object' && rule !== null, `${field}.rules[${j}] must be { field, values }`);
      checkKnownFields(`${field}.rules[${j}]`, rule, RULE_FIELD_NAMES);
      check(RULE_FIELDS.has(rule.field), `${field}.rules[${j}].field must be one of ${[...RULE_FIELDS].join(', ')}`);
      check(rule.field !== 'var' || /^[A-Za-z0-9_.-]{1,64}$/.test(rule.variable ?? ''), `${field}.rules[${j}].variable is required with field 'var'`);
      check(Array.isArray(rule.values) && rule.values.length > 0 && rule.values.every((v) => typeof v === 'string' && v.length <= 256), `${field}.rules[${j}].values needs 1 or more strings`);
    }
    checkPath(`${field}.path`, rulePath.path);
  }
  return campaign;
}
