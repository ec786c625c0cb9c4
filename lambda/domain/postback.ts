import { normalizeClickId } from './click-id';
import { Offer } from './config';
import { Click } from './visit';

/** A validated S2S postback (or conversion pixel) in Voluum's format. */
export interface Postback {
  readonly clickId: string;
  readonly payout?: number;
  readonly txid?: string;
  readonly eventType?: string;
  readonly currency?: string;
}

/** Why a postback was not counted; each reason is what the postback error log shows. */
export type PostbackRefusal =
  | { readonly reason: 'invalid'; readonly message: string }
  | { readonly reason: 'unknown-click'; readonly message: string }
  | { readonly reason: 'expired-click'; readonly message: string };

export interface Conversion {
  readonly clickId: string;
  /** Dedup key within the click: same event type and transaction ID → same conversion. */
  readonly conversionKey: string;
  readonly eventType?: string;
  readonly txid?: string;
  readonly payout: number;
  readonly currency?: string;
  readonly campaignId: string;
  readonly offerId: string;
  readonly trafficSourceId?: string;
  readonly externalId?: string;
  readonly clickedAt: string;
  readonly convertedAt: string;
  readonly country?: string;
  readonly device?: string;
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
    };
  } catch (refusal) {
    return refusal as PostbackRefusal;
  }
}

export function isRefusal(result: Postback | PostbackRefusal): result is PostbackRefusal {
  return 'reason' in result;
}

/**
 * Same cid + same txid (or none) + same et is one conversion; a new txid on the same click is a
 * new conversion (an upsell). URL-encoding the parts keeps `#` inside a txid from forging a key.
 */
export function conversionKey(postback: Pick<Postback, 'eventType' | 'txid'>): string {
  return `${encodeURIComponent(postback.eventType ?? '')}#${encodeURIComponent(postback.txid ?? '')}`;
}

/**
 * Attributes a postback to its click. The click window is checked here, not left to DynamoDB TTL,
 * which deletes expired items lazily (up to days late).
 */
export function attributeConversion(
  click: Click,
  postback: Postback,
  offer: Offer | undefined,
  now: Date,
): Conversion | PostbackRefusal {
  if (click.expiresAt * 1000 <= now.getTime()) {
    return { reason: 'expired-click', message: 'the click is older than the attribution window' };
  }
  return {
    clickId: click.clickId,
    conversionKey: conversionKey(postback),
    eventType: postback.eventType,
    txid: postback.txid,
    payout: postback.payout ?? offer?.payout ?? 0,
    currency: postback.currency ?? offer?.currency,
    campaignId: click.campaignId,
    offerId: click.offerId,
    trafficSourceId: click.trafficSourceId,
    externalId: click.externalId,
    clickedAt: click.clickedAt,
    convertedAt: now.toISOString(),
    country: click.country,
    device: click.device,
  };
}
