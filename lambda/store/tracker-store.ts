import { AffiliateNetwork, Campaign, CampaignBundle, Lander, Offer, TrafficSource } from '../domain/config';
import { Conversion, RefusalReason, SourcePostbackOutcome, StatusChange } from '../domain/postback';
import { KeyContributions } from '../domain/aggregation';
import { StatsItem } from '../domain/reports';
import { Click } from '../domain/visit';

export type ConfigEntity =
  | { readonly entityType: 'campaign'; readonly value: Campaign }
  | { readonly entityType: 'offer'; readonly value: Offer }
  | { readonly entityType: 'trafficSource'; readonly value: TrafficSource }
  | { readonly entityType: 'network'; readonly value: AffiliateNetwork }
  | { readonly entityType: 'lander'; readonly value: Lander };

export type EntityType = ConfigEntity['entityType'];
export type EntityOf<T extends EntityType> = Extract<ConfigEntity, { entityType: T }>['value'];

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

/** One page of a newest-first listing; `cursor` fetches the next. */
export interface Page<T> {
  readonly items: T[];
  readonly cursor?: string;
}

/** How many of each campaign's latest visits are kept for the raw view. */
export const RECENT_VISITS = 100;

/** The persistence the handlers need; DynamoDB in AWS and locally (dynalite). */
export interface TrackerStore {
  /** The campaign with everything it refers to. @throws if a referenced entity is missing */
  getCampaignBundle(campaignId: string): Promise<CampaignBundle | undefined>;
  getConfig<T extends EntityType>(entityType: T, id: string): Promise<EntityOf<T> | undefined>;
  listConfig<T extends EntityType>(entityType: T): Promise<EntityOf<T>[]>;
  putConfig(entity: ConfigEntity): Promise<void>;
  deleteConfig(entityType: EntityType, id: string): Promise<void>;
  /** Idempotent: writing a click that is already there changes nothing. */
  putClick(click: Click): Promise<void>;
  getClick(clickId: string): Promise<Click | undefined>;
  /** Records the click-through to an offer; the first click-through's time is kept. */
  recordClickThrough(clickId: string, offerId: string, at: Date): Promise<void>;
  /** Race-safe: of any number of concurrent puts of one conversion key, exactly one converts. */
  putConversion(conversion: Conversion): Promise<ConversionOutcome>;
  getConversion(clickId: string, conversionKey: string): Promise<Conversion | undefined>;
  /** Applies the change only if the conversion is still at `expectedVersion`; says whether it did. */
  changeConversionStatus(existing: Conversion, change: StatusChange): Promise<boolean>;
  recordSourcePostback(clickId: string, conversionKey: string, outcome: SourcePostbackOutcome): Promise<void>;
  recordPostbackError(error: PostbackError): Promise<void>;
  /**
   * Adds a key's contributions to its counters, except those at or before the key's watermark for
   * this stream shard: a replayed stream batch changes nothing twice.
   */
  addCounters(group: KeyContributions, shard: string): Promise<void>;
  /** The counter items of these UTC days: of these campaigns, or of every campaign there has been. */
  queryStats(utcDays: readonly string[], campaignIds?: readonly string[]): Promise<StatsItem[]>;
  /** Keeps the campaign's RECENT_VISITS newest visits, these included (a replayed visit once). */
  recordRecentVisits(campaignId: string, clicks: readonly Click[]): Promise<void>;
  recentVisits(campaignId: string, limit: number, cursor?: string): Promise<Page<Click>>;
  latestConversions(campaignId: string, limit: number, cursor?: string): Promise<Page<Conversion>>;
  postbackErrors(day: string, limit: number, cursor?: string): Promise<Page<Record<string, unknown>>>;
}
