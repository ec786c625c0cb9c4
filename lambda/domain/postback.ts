import { normalizeClickId } from './click-id';
import { AffiliateNetwork, ConversionStatus, EventType, Offer, REVERSING_STATUSES } from './config';
import { ipInRanges } from './ip-ranges';
import { secretsEqual } from './secrets';
import { Click } from './visit';

/** A validated S2S postback (or conversion pixel) in Voluum's format. */
export interface Postback {
  readonly clickId: string;
  readonly payout?: number;
  readonly txid?: string;
  readonly eventType?: string;
  readonly currency?: string;
  readonly secret?: string;
}

export type RefusalReason = 'invalid' | 'unknown-click' | 'expired-click' | 'forbidden';

/** Why a postback was not counted; each reason is what the postback error log shows. */
export interface PostbackRefusal {
  readonly reason: RefusalReason;
  readonly message: string;
}

export interface Conversion {
  readonly clickId: string;
  /** Dedup key within the click, derived from the network's duplicate policy. */
  readonly conversionKey: string;
  readonly eventType?: string;
  /** The event type's name in reports. */
  readonly eventName: string;
  /** Set when the event type is a status of the conversion rather than a conversion of its own. */
  readonly status?: ConversionStatus;
  readonly txid?: string;
  readonly payout: number;
  readonly currency?: string;
  readonly campaignId: string;
  /** Absent when the visitor converted without a recorded click-through to an offer. */
  readonly offerId?: string;
  readonly networkId?: string;
  readonly trafficSourceId?: string;
  readonly externalId?: string;
  readonly clickedAt: string;
  readonly convertedAt: string;
  readonly updatedAt: string;
  /** Bumped by every status change; status changes are conditional on it. */
  readonly version: number;
  /** What came of telling the traffic source. */
  readonly sourcePostback?: SourcePostbackOutcome;
  readonly country?: string;
  readonly device?: string;
}

export interface SourcePostbackOutcome {
  readonly status: 'sent' | 'failed';
  readonly attempts: number;
  readonly httpStatus?: number;
  readonly error?: string;
  readonly at: string;
}

/** A status change of an existing conversion: one item, its revenue replaced, never added twice. */
export interface StatusChange {
  readonly status: ConversionStatus;
  readonly eventType?: string;
  readonly eventName: string;
  readonly payout: number;
  readonly updatedAt: string;
}

const PAYOUT_PATTERN = /^-?\d{1,12}(\.\d{1,8})?$/;
const CURRENCY_PATTERN = /^[A-Za-z]{3}$/;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/**
 * Macros a network left unfilled (`payout=OPTIONAL`, `txid={transaction_id}`, `[amount]`,
 * `#sum#`): the field is treated as absent rather than refusing, and so losing, the conversion.
 */
const UNFILLED_MACRO = /^(OPTIONAL|REPLACE|\{.*\}|\[.*\]|#.*#|%7B.*%7D)$/i;

type Fields = Readonly<Record<string, string | undefined>>;

function optional(fields: Fields, name: string): string | undefined {
  const value = fields[name]?.trim();
  return value === undefined || value === '' || UNFILLED_MACRO.test(value) ? undefined : value;
}

function text(fields: Fields, name: string, maxLength: number): string | undefined {
  const value = optional(fields, name);
  if (value !== undefined && (value.length > maxLength || CONTROL_CHARACTERS.test(value))) {
    throw invalid(`${name} must be at most ${maxLength} printable characters`);
  }
  return value;
}

function invalid(message: string): PostbackRefusal {
  return { reason: 'invalid', message };
}

/** Parses postback fields; returns the postback or the refusal to answer and log. */
export function parsePostback(fields: Fields): Postback | PostbackRefusal {
  try {
    const cid = fields.cid?.trim();
    if (!cid || UNFILLED_MACRO.test(cid)) return invalid('cid is required');
    if (cid.length > 64 || CONTROL_CHARACTERS.test(cid)) return invalid('cid must be at most 64 printable characters');
    const clickId = normalizeClickId(cid);
    if (!clickId) return { reason: 'unknown-click', message: 'cid is not a click ID issued by this tracker' };

    const rawPayout = optional(fields, 'payout');
    if (rawPayout !== undefined && !PAYOUT_PATTERN.test(rawPayout)) {
      return invalid('payout must be a decimal number such as 12.50 (negative for a chargeback)');
    }
    const currency = optional(fields, 'currency');
    if (currency !== undefined && !CURRENCY_PATTERN.test(currency)) {
      return invalid('currency must be a three-letter ISO 4217 code such as USD');
    }
    return {
      clickId,
      payout: rawPayout === undefined ? undefined : Number(rawPayout),
      txid: text(fields, 'txid', 128),
      eventType: text(fields, 'et', 64),
      currency: currency?.toUpperCase(),
      secret: text(fields, 'secret', 128),
    };
  } catch (refusal) {
    return refusal as PostbackRefusal;
  }
}

export function isRefusal(result: object): result is PostbackRefusal {
  return 'reason' in result;
}

/** The network's own guards: where its postbacks may come from, and the secret they must carry. */
export function checkNetworkAccess(network: AffiliateNetwork | undefined, postback: Postback, ip: string): PostbackRefusal | undefined {
  if (!network) return undefined;
  if (network.ipWhitelist?.length && !ipInRanges(ip, network.ipWhitelist)) {
    return { reason: 'forbidden', message: `postbacks for network ${network.id} are not accepted from ${ip}` };
  }
  if (network.postbackSecret && !secretsEqual(postback.secret ?? '', network.postbackSecret)) {
    return { reason: 'forbidden', message: 'secret is missing or wrong' };
  }
  return undefined;
}

function eventTypeOf(network: AffiliateNetwork | undefined, et: string | undefined): EventType {
  const configured = et === undefined ? undefined : network?.eventTypes?.[et];
  return configured ?? { name: et ?? 'conversion' };
}

/**
 * The dedup key within a click. URL-encoding the parts keeps a `#` inside a field from forging a
 * key; a status event's key starts with `#`, which an encoded event type never does, so the
 * statuses of one txid share one conversion.
 */
export function conversionKey(postback: Pick<Postback, 'eventType' | 'txid'>, network?: AffiliateNetwork, uniqueId = ''): string {
  const policy = network?.duplicatePolicy ?? 'reject-duplicates';
  const txid = policy === 'no-upsells' ? '' : encodeURIComponent(postback.txid ?? '');
  const slot = eventTypeOf(network, postback.eventType).status ? '#status' : encodeURIComponent(postback.eventType ?? '');
  return policy === 'accept-duplicates' ? `${slot}#${txid}#${uniqueId}` : `${slot}#${txid}`;
}

/**
 * Attributes a postback to its click. The click window is checked here, not left to DynamoDB TTL,
 * which deletes expired items lazily (up to days late).
 * @param uniqueId tells postbacks apart under the `accept-duplicates` policy
 */
export function attributeConversion(
  click: Click,
  postback: Postback,
  offer: Offer | undefined,
  network: AffiliateNetwork | undefined,
  now: Date,
  uniqueId: string,
): Conversion | PostbackRefusal {
  if (click.expiresAt * 1000 <= now.getTime()) {
    return { reason: 'expired-click', message: 'the click is older than the attribution window' };
  }
  const eventType = eventTypeOf(network, postback.eventType);
  return {
    clickId: click.clickId,
    conversionKey: conversionKey(postback, network, uniqueId),
    eventType: postback.eventType,
    eventName: eventType.name,
    status: eventType.status,
    txid: postback.txid,
    payout: (offer?.payoutMode === 'fixed' ? offer.payout : postback.payout) ?? offer?.payout ?? 0,
    currency: postback.currency ?? offer?.currency,
    campaignId: click.campaignId,
    offerId: click.offerId,
    networkId: network?.id,
    trafficSourceId: click.trafficSourceId,
    externalId: click.externalId,
    clickedAt: click.clickedAt,
    convertedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
    country: click.country,
    device: click.device,
  };
}

/**
 * What a status postback does to the conversion it belongs to: nothing (same status: a duplicate),
 * or a change whose payout replaces the old one. A reversing status (rejected, chargeback) takes
 * the revenue back: to 0 without a payout, or by the amount when the payout is negative.
 */
export function statusChange(existing: Conversion, incoming: Conversion, postback: Postback): StatusChange | 'duplicate' {
  if (!incoming.status || existing.status === incoming.status) return 'duplicate';
  const reversing = REVERSING_STATUSES.has(incoming.status);
  let payout: number;
  if (postback.payout === undefined) payout = reversing ? 0 : existing.payout;
  else if (reversing && postback.payout < 0) payout = existing.payout + postback.payout;
  else payout = postback.payout;
  return {
    status: incoming.status,
    eventType: incoming.eventType,
    eventName: incoming.eventName,
    payout,
    updatedAt: incoming.updatedAt,
  };
}
