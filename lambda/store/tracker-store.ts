import { Campaign, CampaignBundle, Offer, TrafficSource } from '../domain/config';
import { Conversion, PostbackRefusal } from '../domain/postback';
import { Click } from '../domain/visit';

export type ConfigEntity =
  | { readonly entityType: 'campaign'; readonly value: Campaign }
  | { readonly entityType: 'offer'; readonly value: Offer }
  | { readonly entityType: 'trafficSource'; readonly value: TrafficSource };

export interface PostbackError {
  readonly reason: PostbackRefusal['reason'];
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
  putConfig(entity: ConfigEntity): Promise<void>;
  putClick(click: Click): Promise<void>;
  getClick(clickId: string): Promise<Click | undefined>;
  /** Race-safe: of any number of concurrent puts of one conversion key, exactly one converts. */
  putConversion(conversion: Conversion): Promise<ConversionOutcome>;
  recordPostbackError(error: PostbackError): Promise<void>;
}
