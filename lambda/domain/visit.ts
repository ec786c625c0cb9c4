import Bowser from 'bowser';
import { CampaignBundle, DEFAULT_PARAMETERS, Lander, Offer } from './config';
import { pickWeighted, selectPath } from './routing';
import { TokenValues, fillTokens } from './tokens';

/** What the click handler knows about the visitor's request, independent of API Gateway. */
export interface VisitRequest {
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Lowercased header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The peer address API Gateway saw (CloudFront's, when the request came through it). */
  readonly sourceIp: string;
}

export type Device = 'desktop' | 'mobile' | 'tablet' | 'smarttv';

/** The click item: one per visit, keyed by click ID, expiring with the click window. */
export interface Click {
  readonly clickId: string;
  readonly campaignId: string;
  /** The campaign path the visit took: 0 default, i + 1 rule path i. */
  readonly pathIndex?: number;
  readonly landerId?: string;
  /** Set at the visit for a direct link, at the click-through for a lander. */
  readonly offerId?: string;
  /** When the visitor went on to an offer: a visit with this set is a click. */
  readonly clickedThroughAt?: string;
  readonly trafficSourceId?: string;
  /** ISO 8601, UTC. */
  readonly clickedAt: string;
  /** Epoch seconds: DynamoDB TTL, and the end of the attribution window. */
  readonly expiresAt: number;
  readonly ip: string;
  readonly userAgent?: string;
  readonly referrer?: string;
  readonly country?: string;
  readonly device?: Device;
  readonly os?: string;
  readonly browser?: string;
  readonly trackingDomain?: string;
  readonly externalId?: string;
  readonly cost?: number;
  /** var1..var10 by position; absent ones are left out to keep the item small. */
  readonly vars?: Readonly<Record<string, string>>;
}

export interface VisitOptions {
  readonly clickId: string;
  readonly now: Date;
  readonly clickTtlSeconds: number;
}

export interface Visit {
  readonly click: Click;
  /** The redirect target: always a configured lander or offer URL, tokens filled in. */
  readonly location: string;
}

export class UnsafeRedirectError extends Error {}

/** Upper bounds for what a visitor controls, so one request cannot bloat the click item. */
const MAX_VALUE = 256;
const MAX_LONG_VALUE = 1024;
const COST_PATTERN = /^\d{1,9}(\.\d{1,8})?$/;
const COUNTRY_PATTERN = /^[A-Z]{2}$/;
const HOST_PATTERN = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;

function bounded(value: string | undefined, max = MAX_VALUE): string | undefined {
  if (value === undefined || value === '') return undefined;
  return value.length > max ? value.slice(0, max) : value;
}

function deviceOf(headers: VisitRequest['headers']): Device | undefined {
  if (headers['cloudfront-is-smarttv-viewer'] === 'true') return 'smarttv';
  if (headers['cloudfront-is-tablet-viewer'] === 'true') return 'tablet';
  if (headers['cloudfront-is-mobile-viewer'] === 'true') return 'mobile';
  if (headers['cloudfront-is-desktop-viewer'] === 'true') return 'desktop';
  return undefined;
}

/**
 * The visitor's IP. Behind CloudFront, API Gateway's source IP is CloudFront's edge, and the viewer
 * is in CloudFront-Viewer-Address as `ip:port` (IPv6 unbracketed).
 */
export function viewerIp(headers: VisitRequest['headers'], sourceIp: string): string {
  const address = headers['cloudfront-viewer-address'];
  if (address && address.includes(':')) {
    const ip = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    if (/^[0-9A-Fa-f.:]{2,45}$/.test(ip)) return ip;
  }
  return sourceIp;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** The tracking domain the visitor used: CloudFront forwards it as X-Forwarded-Host. */
function trackingDomainOf(headers: VisitRequest['headers']): string | undefined {
  const host = headers['x-forwarded-host'] ?? headers.host;
  return host && HOST_PATTERN.test(host) ? host.toLowerCase() : undefined;
}

function parseUserAgent(userAgent: string | undefined): { os?: string; browser?: string } {
  if (!userAgent) return {};
  const parsed = Bowser.parse(userAgent);
  return { os: parsed.os.name || undefined, browser: parsed.browser.name || undefined };
}

function varNames(bundle: CampaignBundle): readonly string[] {
  return { ...DEFAULT_PARAMETERS, ...bundle.trafficSource?.parameters }.vars;
}

/**
 * Every token a lander or offer URL can use, from the click item alone, so the visit and the
 * later click-through fill URLs the same way.
 */
function tokenValues(click: Click, bundle: CampaignBundle): TokenValues {
  const offer: Offer | undefined = click.offerId ? bundle.offers[click.offerId] : undefined;
  const lander: Lander | undefined = click.landerId ? bundle.landers[click.landerId] : undefined;
  const values: Record<string, string | undefined> = {
    clickid: click.clickId,
    'campaign.id': bundle.campaign.id,
    'campaign.name': bundle.campaign.name,
    'offer.id': offer?.id,
    'offer.name': offer?.name,
    'lander.id': lander?.id,
    'lander.name': lander?.name,
    'trafficsource.id': bundle.trafficSource?.id,
    'trafficsource.name': bundle.trafficSource?.name,
    externalid: click.externalId,
    cost: click.cost?.toString(),
    country: click.country,
    device: click.device,
    os: click.os,
    browser: click.browser,
    ip: click.ip,
    useragent: click.userAgent,
    referrerdomain: hostOf(click.referrer),
    trackingdomain: click.trackingDomain,
  };
  for (let i = 1; i <= 10; i++) values[`var${i}`] = click.vars?.[`var${i}`];
  varNames(bundle).forEach((name, i) => {
    values[`var:${name}`] = click.vars?.[`var${i + 1}`];
  });
  return values;
}

/** The URL to send a click's visitor to, filled in and checked to stay on the template's host. */
export function landingUrl(template: string, click: Click, bundle: CampaignBundle): string {
  const location = fillTokens(template, tokenValues(click, bundle));
  assertSameOrigin(template, location);
  return location;
}

function costOf(bundle: CampaignBundle, rawCost: string | undefined): number | undefined {
  const model = bundle.campaign.costModel ?? { type: 'auto' };
  switch (model.type) {
    case 'cpc':
      return model.value;
    case 'cpm':
      return model.value / 1000;
    case 'none':
      return undefined;
    default:
      return rawCost !== undefined && COST_PATTERN.test(rawCost) ? Number(rawCost) : undefined;
  }
}

/**
 * A visit: the click item, routed through the campaign's paths (first matching rule path, else
 * the default) to a weighted lander, or straight to a weighted offer for a direct link.
 */
export function recordVisit(bundle: CampaignBundle, request: VisitRequest, options: VisitOptions): Visit {
  const { campaign, trafficSource } = bundle;
  const parameters = { ...DEFAULT_PARAMETERS, ...trafficSource?.parameters };
  const { query, headers } = request;

  const vars: Record<string, string> = {};
  parameters.vars.forEach((name, index) => {
    const value = bounded(query[name]);
    if (value !== undefined) vars[`var${index + 1}`] = value;
  });
  const userAgent = bounded(headers['user-agent'], MAX_LONG_VALUE);
  const country = headers['cloudfront-viewer-country']?.toUpperCase();
  const visitor = {
    country: country && COUNTRY_PATTERN.test(country) ? country : undefined,
    device: deviceOf(headers),
    ...parseUserAgent(userAgent),
  };
  const selected = selectPath(campaign, {
    ...visitor,
    variable: (name) => vars[/^var([1-9]|10)$/.test(name) ? name : `var${parameters.vars.indexOf(name) + 1}`],
  });
  const landers = selected.path.landers ?? [];
  const landerId = landers.length > 0 ? pickWeighted(landers, `${options.clickId}:lander`).id : undefined;
  const offerId = landerId ? undefined : pickWeighted(selected.path.offers, `${options.clickId}:offer`).id;
  const clickedAt = options.now.toISOString();

  const click: Click = {
    clickId: options.clickId,
    campaignId: campaign.id,
    pathIndex: selected.index,
    landerId,
    offerId,
    clickedThroughAt: offerId ? clickedAt : undefined,
    trafficSourceId: trafficSource?.id,
    clickedAt,
    expiresAt: Math.floor(options.now.getTime() / 1000) + options.clickTtlSeconds,
    ip: viewerIp(headers, request.sourceIp),
    userAgent,
    referrer: bounded(headers.referer, MAX_LONG_VALUE),
    ...visitor,
    trackingDomain: trackingDomainOf(headers),
    externalId: bounded(query[parameters.externalId]),
    cost: costOf(bundle, query[parameters.cost]),
    vars: Object.keys(vars).length > 0 ? vars : undefined,
  };
  const template = landerId ? bundle.landers[landerId]?.url : bundle.offers[offerId!]?.url;
  if (!template) throw new UnsafeRedirectError(`campaign ${campaign.id} routes to a ${landerId ? 'lander' : 'offer'} that does not exist`);
  return { click, location: landingUrl(template, click, bundle) };
}

/**
 * Defence in depth behind config validation: whatever the tokens held, the visitor is only ever
 * sent to the host the offer was configured with.
 */
function assertSameOrigin(template: string, location: string): void {
  let target: URL;
  try {
    target = new URL(location);
  } catch {
    throw new UnsafeRedirectError('offer URL is not a valid URL after token substitution');
  }
  if (target.origin !== new URL(template).origin || !/^https?:$/.test(target.protocol)) {
    throw new UnsafeRedirectError('offer URL host changed during token substitution');
  }
}

/**
 * Whether `location` may be the second hop of a campaign's double meta refresh: an http(s) URL
 * on the origin of one of its offers. The hop then needs no click read, and a crafted hop can
 * only send a visitor where the campaign sends visitors anyway.
 */
export function isOfferLocation(bundle: CampaignBundle, location: string): boolean {
  let target: URL;
  try {
    target = new URL(location);
  } catch {
    return false;
  }
  return /^https?:$/.test(target.protocol) && Object.values(bundle.offers).some((offer) => new URL(offer.url).origin === target.origin);
}
