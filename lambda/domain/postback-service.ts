import { clickIdSeconds } from './click-id';
import { AffiliateNetwork, Offer, TrafficSource } from './config';
import { SourcePostbackJob, sourcePostbackJob } from './source-postback';
import {
  Conversion,
  PostbackRefusal,
  attributeConversion,
  checkNetworkAccess,
  isRefusal,
  parsePostback,
  statusChange,
} from './postback';
import type { MessageQueue } from '../store/message-queue';
import type { TrackerStore } from '../store/tracker-store';

/** A postback as received: kept whole, so a retry later decides exactly as the first try would have. */
export interface ReceivedPostback {
  readonly fields: Readonly<Record<string, string | undefined>>;
  /** The caller's IP, as far as it can be trusted. */
  readonly ip: string;
  /** The raw request line and body, for the error log. */
  readonly request: string;
  /** ISO 8601: the attribution window is judged at arrival, not at a retry. */
  readonly receivedAt: string;
  /** Unique per request (API Gateway's request ID): tells postbacks apart under `accept-duplicates`. */
  readonly id: string;
}

export type PostbackResult =
  | { readonly outcome: 'converted' | 'duplicate' | 'updated'; readonly conversion: Conversion }
  | { readonly outcome: 'pending'; readonly clickId: string }
  | { readonly outcome: 'refused'; readonly refusal: PostbackRefusal };

export interface PostbackServiceProps {
  readonly store: TrackerStore;
  readonly offer: (offerId: string) => Promise<Offer | undefined>;
  readonly network: (networkId: string) => Promise<AffiliateNetwork | undefined>;
  readonly trafficSource: (trafficSourceId: string) => Promise<TrafficSource | undefined>;
  /** Where calls of traffic sources' postback URLs wait for their worker. @default - sources are not told */
  readonly sourcePostbacks?: MessageQueue<SourcePostbackJob>;
  /** Where postbacks wait for a click that is not written yet. @default - none: they are refused */
  readonly pending?: MessageQueue<ReceivedPostback>;
  /**
   * How long after its click ID was minted a click may still be on its way to the table (its
   * write buffered after a DynamoDB fault); a postback for it waits that long, not longer.
   */
  readonly pendingWindowSeconds: number;
  /** Delay before the first retry of a waiting postback. */
  readonly pendingDelaySeconds: number;
}

const STATUS_CHANGE_ATTEMPTS = 5;

/**
 * Turns a network's postback into exactly one counted conversion, a status change of one, or a
 * logged refusal. Race-safe: dedup is a conditional put, status changes are conditional updates.
 */
export class PostbackService {
  constructor(private readonly props: PostbackServiceProps) {}

  /** First arrival: a postback whose click may still be on its way is queued and `pending`. */
  receive(postback: ReceivedPostback): Promise<PostbackResult> {
    return this.process(postback, true);
  }

  /** From the pending queue: `pending` means try again later; past the window it is refused. */
  retry(postback: ReceivedPostback): Promise<PostbackResult> {
    return this.process(postback, false);
  }

  private async process(received: ReceivedPostback, firstArrival: boolean): Promise<PostbackResult> {
    const { store } = this.props;
    const postback = parsePostback(received.fields);
    if (isRefusal(postback)) return this.refuse(received, postback, received.fields.cid?.slice(0, 64));

    const click = await store.getClick(postback.clickId);
    if (!click) {
      const age = Date.now() / 1000 - clickIdSeconds(postback.clickId);
      const mayStillArrive = age > -60 && age < this.props.pendingWindowSeconds;
      if (mayStillArrive && !firstArrival) return { outcome: 'pending', clickId: postback.clickId };
      if (mayStillArrive && this.props.pending) {
        await this.props.pending.send(received, this.props.pendingDelaySeconds);
        return { outcome: 'pending', clickId: postback.clickId };
      }
      return this.refuse(received, { reason: 'unknown-click', message: 'no click with this cid' }, postback.clickId);
    }

    const offer = click.offerId ? await this.props.offer(click.offerId) : undefined;
    const network = offer?.networkId ? await this.props.network(offer.networkId) : undefined;
    const forbidden = checkNetworkAccess(network, postback, received.ip);
    if (forbidden) return this.refuse(received, forbidden, postback.clickId);

    const conversion = attributeConversion(click, postback, offer, network, new Date(received.receivedAt), received.id);
    if (isRefusal(conversion)) return this.refuse(received, conversion, postback.clickId);

    if ((await store.putConversion(conversion)) === 'converted') {
      await this.tellTrafficSource(conversion);
      return { outcome: 'converted', conversion };
    }
    if (!conversion.status) return { outcome: 'duplicate', conversion };
    for (let attempt = 0; attempt < STATUS_CHANGE_ATTEMPTS; attempt++) {
      const existing = await store.getConversion(conversion.clickId, conversion.conversionKey);
      if (!existing) break;
      const change = statusChange(existing, conversion, postback);
      if (change === 'duplicate') return { outcome: 'duplicate', conversion: existing };
      if (await store.changeConversionStatus(existing, change)) {
        return { outcome: 'updated', conversion: { ...existing, ...change, version: existing.version + 1 } };
      }
    }
    throw new Error(`conversion ${conversion.clickId}/${conversion.conversionKey} kept changing under its status postback`);
  }

  /**
   * Queues the call of the source's postback URL. The conversion is counted already, so a queue
   * failure does not fail the postback: it is recorded on the conversion instead.
   */
  private async tellTrafficSource(conversion: Conversion): Promise<void> {
    const source = conversion.trafficSourceId ? await this.props.trafficSource(conversion.trafficSourceId) : undefined;
    if (!source?.postbackUrl || !this.props.sourcePostbacks) return;
    try {
      await this.props.sourcePostbacks.send(sourcePostbackJob(source.postbackUrl, conversion));
    } catch (error) {
      await this.props.store.recordSourcePostback(conversion.clickId, conversion.conversionKey, {
        status: 'failed',
        attempts: 0,
        error: `not queued: ${(error as Error).message}`,
        at: new Date().toISOString(),
      });
    }
  }

  private async refuse(received: ReceivedPostback, refusal: PostbackRefusal, clickId?: string): Promise<PostbackResult> {
    await this.props.store.recordPostbackError({
      ...refusal,
      clickId,
      ip: received.ip,
      request: received.request,
      at: new Date(),
    });
    return { outcome: 'refused', refusal };
  }
}
