/**
 * The tracker's tables, defined once: the CDK construct creates them in AWS from this, the local
 * runtime creates them in dynalite from this, and handlers find each by its environment variable.
 * Every key attribute is a string.
 */
export interface TableSchema {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly timeToLiveAttribute?: string;
  /** Environment variable that carries the table name to the functions. */
  readonly environmentVariable: string;
  /** Global secondary indexes, all attributes projected. */
  readonly indexes?: readonly { readonly name: string; readonly partitionKey: string; readonly sortKey: string }[];
}

export const TABLES = {
  /** One item per visit; TTL ends the attribution window. */
  clicks: { partitionKey: 'clickId', timeToLiveAttribute: 'expiresAt', environmentVariable: 'CLICKS_TABLE' },
  /**
   * One item per counted conversion; the sort key makes dedup a conditional put. Indexed by
   * campaign and time for the latest conversions (conversions are few next to clicks).
   */
  conversions: {
    partitionKey: 'clickId',
    sortKey: 'conversionKey',
    environmentVariable: 'CONVERSIONS_TABLE',
    indexes: [{ name: 'byCampaign', partitionKey: 'campaignId', sortKey: 'convertedAt' }],
  },
  /** Campaigns, offers and traffic sources: partition by entity type, sort by id. */
  config: { partitionKey: 'entityType', sortKey: 'id', environmentVariable: 'CONFIG_TABLE' },
  /**
   * Report counters written by the stream aggregator: partition `<UTC day>#<shard>` (a campaign's
   * shard is fixed), sort `<campaign>|<UTC hour>|<other dimensions>`; one item per hour and
   * combination of dimensions. Also each campaign's latest visits: partition
   * `<campaignId>#recent`, sort `visits`.
   */
  stats: { partitionKey: 'pk', sortKey: 'sk', environmentVariable: 'STATS_TABLE' },
  /** Postbacks that were not counted, and why; partitioned by UTC day, expiring. */
  postbackErrors: {
    partitionKey: 'day',
    sortKey: 'errorId',
    timeToLiveAttribute: 'expiresAt',
    environmentVariable: 'POSTBACK_ERRORS_TABLE',
  },
} as const satisfies Record<string, TableSchema>;

export type TableName = keyof typeof TABLES;
