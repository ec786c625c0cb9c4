import { AffiliateNetwork, Campaign, CampaignBundle, Offer, TrafficSource } from '../domain/config';
import { Conversion, RefusalReason, StatusChange } from '../domain/postback';
import { Click } from '../domain/visit';

export type ConfigEntity =
  | { readonly entityType: 'campaign'; readonly value: Campaign }
  | { readonly entityType: 'offer'; readonly value: Offer }
  | { readonly entityType: 'trafficSource'; readonly value: TrafficSource }
  | { readonly entityType: 'network'; readonly value: AffiliateNetwork };

export interface PostbackError {
  readonly reason: RefusalReason;
  readonly message: string;
  readonly clickId?: string;
  readonly ip: string;
  /** The raw query string (and form body), bounded, so users can see what the network sent. */
  readonly request: string;
  readonly at: Date;
}

export type ConversionOutcome = 'converted' | 'duplicate';

/** The persistence the handlers need; DynamoDB in AWS and locally (dynalite). */
export interface TrackerStore {
  getCampaignBundle(campaignId: string): Promise<CampaignBundle | undefined>;
  getOffer(offerId: string): Promise<Offer | undefined>;
  getNetwork(networkId: string): Promise<AffiliateNetwork | undefined>;
  putConfig(entity: ConfigEntity): Promise<void>;
  /** Idempotent: writing a click that is already there changes nothing. */
  putClick(click: Click): Promise<void>;
  getClick(clickId: string): Promise<Click | undefined>;
  /** Race-safe: of any number of concurrent puts of one conversion key, exactly one converts. */
  putConversion(conversion: Conversion): Promise<ConversionOutcome>;
  getConversion(clickId: string, conversionKey: string): Promise<Conversion | undefined>;
  /** Applies the change only if the conversion is still at `expectedVersion`; says whether it did. */
  changeConversionStatus(existing: Conversion, change: StatusChange): Promise<boolean>;
  recordPostbackError(error: PostbackError): Promise<void>;
}
