import { CampaignBundle, DEFAULT_PARAMETERS } from './config';
import { fillTokens } from './tokens';

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
  readonly offerId: string;
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
  /** The redirect target: always the configured offer URL, tokens filled in. */
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

export function recordVisit(bundle: CampaignBundle, request: VisitRequest, options: VisitOptions): Visit {
  const { campaign, offer, trafficSource } = bundle;
  const parameters = { ...DEFAULT_PARAMETERS, ...trafficSource?.parameters };
  const { query, headers } = request;

  const vars: Record<string, string> = {};
  const namedVars: Record<string, string | undefined> = {};
  parameters.vars.forEach((name, index) => {
    const value = bounded(query[name]);
    namedVars[`var:${name}`] = value;
    if (value !== undefined) vars[`var${index + 1}`] = value;
  });
  const rawCost = query[parameters.cost];
  const userAgent = bounded(headers['user-agent'], MAX_LONG_VALUE);
  const referrer = bounded(headers.referer, MAX_LONG_VALUE);
  const country = headers['cloudfront-viewer-country']?.toUpperCase();

  const click: Click = {
    clickId: options.clickId,
    campaignId: campaign.id,
    offerId: offer.id,
    trafficSourceId: trafficSource?.id,
    clickedAt: options.now.toISOString(),
    expiresAt: Math.floor(options.now.getTime() / 1000) + options.clickTtlSeconds,
    ip: viewerIp(headers, request.sourceIp),
    userAgent,
    referrer,
    country: country && COUNTRY_PATTERN.test(country) ? country : undefined,
    device: deviceOf(headers),
    trackingDomain: trackingDomainOf(headers),
    externalId: bounded(query[parameters.externalId]),
    cost: rawCost !== undefined && COST_PATTERN.test(rawCost) ? Number(rawCost) : undefined,
    vars: Object.keys(vars).length > 0 ? vars : undefined,
  };

  const location = fillTokens(offer.url, {
    clickid: click.clickId,
    'campaign.id': campaign.id,
    'campaign.name': campaign.name,
    'offer.id': offer.id,
    'offer.name': offer.name,
    'trafficsource.id': trafficSource?.id,
    'trafficsource.name': trafficSource?.name,
    externalid: click.externalId,
    cost: click.cost?.toString(),
    ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`var${i + 1}`, vars[`var${i + 1}`]])),
    ...namedVars,
    country: click.country,
    device: click.device,
    ip: click.ip,
    useragent: click.userAgent,
    referrerdomain: hostOf(click.referrer),
    trackingdomain: click.trackingDomain,
  });
  assertSameOrigin(offer.url, location);
  return { click, location };
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
